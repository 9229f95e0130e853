using System.Reflection;
using WxQms.Domain.Model;
using static WxQms.Tests.Architecture.AssemblyReferences;

namespace WxQms.Tests.Architecture;

/// <summary>
/// Where each kind of code may live (docs/ARCHITECTURE.md), read from the compiled assemblies with Mono.Cecil: only
/// Storage, Caching, Wechat and Hosting in Domain talk to MySQL or Redis (Dapper, MySqlConnector, StackExchange.Redis);
/// the Api and Jobs hosts do not; Storage does not call Services; the sandbox and the demo live in WxQms.Sandbox, not in
/// the product. Rules and Model being free of I/O is <see cref="RulesArePureTests"/>.
/// </summary>
public sealed class LayeringTests
{
    private static readonly string[] Drivers = ["Dapper", "MySqlConnector", "StackExchange.Redis"];

    /// <summary>
    /// Beside the drivers, a call on ADO.NET's own connection types (System.Data.Common, System.Data's IDb*: opening a
    /// DbDataSource's connection, a command, a commit) is a driver's work too; naming them (a DbConnection and
    /// DbTransaction handed to a store inside its transaction) is not, nor is a DataTable (an Excel sheet's rows).
    /// </summary>
    private static bool IsAdoNet(AssemblyReferences.Reference r) =>
        r.Namespace.In("System.Data.Common") || (r.Namespace == "System.Data" && r.Type.StartsWith("IDb", StringComparison.Ordinal));

    /// <summary>The Domain folders that may use the drivers, below the assembly's root namespace.</summary>
    private static readonly string[] DriverLayers = ["Storage", "Caching", "Wechat", "Hosting"];

    /// <summary>
    /// Types allowed to break the rules for a while, each still to move (empty since #24 moved the monthly close's
    /// transaction into AssessmentStore and RankingCache into Caching). An entry that no longer violates fails the test
    /// too, so the list only shrinks.
    /// </summary>
    private static readonly HashSet<string> KnownPending =
    [
    ];

    [Fact]
    public void Each_layer_keeps_to_its_own_dependencies()
    {
        var violations = Violations(typeof(Org).Assembly, "WxQms.Domain")
            .Concat(Violations(typeof(WxQms.Api.Infrastructure.ApiConventions).Assembly, "WxQms.Api"))
            .Concat(Violations(typeof(WxQms.Jobs.JobsProgram).Assembly, "WxQms.Jobs"))
            .ToList();

        var offending = violations.Where(v => !KnownPending.Contains(v.Type)).Select(v => v.ToString()).Order().ToList();
        var settled = KnownPending.Except(violations.Select(v => v.Type)).Order().ToList();
        Assert.True(offending.Count == 0, "Layering broken (see docs/ARCHITECTURE.md):\n" + string.Join("\n", offending));
        Assert.True(settled.Count == 0, "No longer violating, remove from KnownPending:\n" + string.Join("\n", settled));
    }

    [Fact]
    public void A_service_that_opens_a_connection_or_a_store_that_calls_a_service_is_caught()
    {
        const string root = "WxQms.Tests.Architecture.Planted";

        var found = Violations(typeof(LayeringTests).Assembly, root).ToList();

        Assert.Contains(found, v => v.Type == $"{root}.Services.LeakyService" && v.Rule == Rule.Driver);
        Assert.Contains(found, v => v.Type == $"{root}.Services.AdoService" && v.Rule == Rule.Driver);
        Assert.Contains(found, v => v.Type == $"{root}.Storage.ServiceCallingStore" && v.Rule == Rule.StorageCallsServices);
        Assert.Contains(found, v => v.Type == $"{root}.Seeding.PlantedSeed" && v.Rule == Rule.SandboxOrDemo);
        Assert.Contains(found, v => v.Type == $"{root}.Services.DemoThing" && v.Rule == Rule.SandboxOrDemo);
        Assert.DoesNotContain(found, v => v.Type == $"{root}.Storage.PlantedStore");
        Assert.DoesNotContain(found, v => v.Type == $"{root}.Services.TransactionalService");
        Assert.Equal(5, found.Select(v => (v.Type, v.Rule)).Distinct().Count());
    }

    public enum Rule
    {
        Driver,
        StorageCallsServices,
        SandboxOrDemo,
    }

    public sealed record Violation(Rule Rule, string Type, string Detail)
    {
        public override string ToString() => $"{Rule}: {Type}{(Detail.Length == 0 ? "" : " → " + Detail)}";
    }

    /// <summary>
    /// The rules over one assembly whose namespaces start with <paramref name="root"/>. In Domain (any root but the
    /// hosts') the driver layers are <see cref="DriverLayers"/>; the Api and Jobs hosts have none.
    /// </summary>
    public static IEnumerable<Violation> Violations(Assembly assembly, string root)
    {
        var isHost = root is "WxQms.Api" or "WxQms.Jobs";
        // A host's top-level Program has no namespace.
        var refs = Of(assembly).Where(r => r.FromNamespace.In(root) || (isHost && r.FromNamespace.Length == 0)).ToList();

        var drivers = refs
            .Where(r => Drivers.Any(d => r.Namespace.In(d)) || (r.Member is not null && IsAdoNet(r)))
            .Where(r => isHost || !DriverLayers.Any(l => r.FromNamespace.In($"{root}.{l}")))
            .GroupBy(r => r.From)
            .Select(g => new Violation(Rule.Driver, g.Key, string.Join(", ", g.Select(r => r.Namespace).Distinct().Order())));

        var storageCallsServices = refs
            .Where(r => r.FromNamespace.In($"{root}.Storage") && r.Namespace.In($"{root}.Services"))
            .GroupBy(r => r.From)
            .Select(g => new Violation(Rule.StorageCallsServices, g.Key, string.Join(", ", g.Select(r => r.Type).Distinct().Order())));

        var sandboxOrDemo = refs.Select(r => (r.From, r.FromNamespace)).Distinct()
            .Where(t => IsSandboxOrDemo(t.FromNamespace, t.From[(t.From.LastIndexOf('.') + 1)..]))
            .Select(t => new Violation(Rule.SandboxOrDemo, t.From, ""));

        return drivers.Concat(storageCallsServices).Concat(sandboxOrDemo);
    }

    /// <summary>The sandbox (an imitation of WeChat), the demo seed and the demo's helpers: WxQms.Sandbox's, never the product's.</summary>
    private static bool IsSandboxOrDemo(string ns, string name) =>
        ns.Split('.').Any(part => part is "Sandbox" or "Seeding") || name.StartsWith("Demo", StringComparison.Ordinal);
}
