using System.Reflection;
using System.Text.RegularExpressions;
using WxQms.Domain.Model;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Architecture;

/// <summary>
/// Model and Rules hold the hard logic as pure functions: no database, cache, network, web or files, no system clock
/// (time comes in as an argument or a TimeProvider) and no dice.
/// </summary>
public sealed class RulesArePureTests
{
    private static readonly string[] Forbidden =
        ["MySqlConnector", "Dapper", "StackExchange.Redis", "System.Net.Http", "Microsoft.AspNetCore", "EvolveDb"];

    private static readonly string[] PureNamespaces = ["WxQms.Domain.Model", "WxQms.Domain.Rules"];

    /// <summary>What Model and Rules may not use besides <see cref="Forbidden"/>, as the source spells it.</summary>
    private static readonly string[] ForbiddenSource =
        [@"\bSystem\.IO\b", @"\bDateTime(Offset)?\.(Now|UtcNow|Today)\b", @"\bTimeProvider\.System\b", @"\bRandom\b"];

    [Fact]
    public void Model_and_rules_types_do_not_touch_io_types()
    {
        var pureTypes = typeof(Org).Assembly.GetTypes()
            .Where(t => PureNamespaces.Any(ns => t.Namespace?.StartsWith(ns, StringComparison.Ordinal) == true))
            .ToList();
        Assert.NotEmpty(pureTypes);

        var offending = pureTypes
            .SelectMany(t => ReferencedTypes(t).Select(r => $"{t.FullName} → {r.FullName}"))
            .Where(s => Forbidden.Any(f => s.Contains("→ " + f, StringComparison.Ordinal)))
            .ToList();
        Assert.Empty(offending);
    }

    [Fact]
    public void Model_and_rules_code_reads_no_file_no_system_clock_and_no_random_numbers()
    {
        var offending = AssemblyReferences.Of(typeof(Org).Assembly)
            .Where(r => PureNamespaces.Any(ns => r.FromNamespace.In(ns)))
            .Where(Impure)
            .Select(r => r.ToString()).Distinct().Order().ToList();
        Assert.Empty(offending);
    }

    [Fact]
    public void The_check_catches_a_file_the_system_clock_and_random_numbers()
    {
        var planted = AssemblyReferences.Of(typeof(RulesArePureTests).Assembly)
            .Where(r => r.From == typeof(ImpureRule).FullName).Where(Impure)
            .Select(r => $"{r.Type}::{r.Member}").ToHashSet();
        Assert.All(["DateTime::get_Now", "DateTime::get_UtcNow", "DateTimeOffset::get_UtcNow", "File::ReadAllText",
            "TimeProvider::get_System", "Random::get_Shared", "Random::.ctor"], m => Assert.Contains(m, planted));
    }

    /// <summary>Files and streams, the system clock (<c>DateTime.Now</c>, <c>TimeProvider.System</c> …) and <c>Random</c>.</summary>
    private static bool Impure(AssemblyReferences.Reference r) =>
        Forbidden.Any(f => r.Namespace.In(f))
        || r.Namespace.In("System.IO")
        || (r.Namespace == "System" && (r.Type, r.Member) is
            ("DateTime", "get_Now" or "get_UtcNow" or "get_Today") or ("DateTimeOffset", "get_Now" or "get_UtcNow")
            or ("TimeProvider", "get_System") or ("Random", _));

    [Fact]
    public void Model_and_rules_sources_do_not_mention_io_namespaces()
    {
        var domain = Path.Combine(TestEnvironment.RepoRoot(), "WxQms.Domain");
        var files = new[] { "Model", "Rules" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(domain, d), "*.cs", SearchOption.AllDirectories))
            .ToList();
        Assert.NotEmpty(files);

        var offending = files
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => Forbidden.Any(ns => Regex.IsMatch(x.line, $@"\b{Regex.Escape(ns)}\b"))
                || ForbiddenSource.Any(pattern => Regex.IsMatch(x.line, pattern)))
            .Select(x => $"{Path.GetRelativePath(domain, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.Empty(offending);
    }

    private static IEnumerable<Type> ReferencedTypes(Type t)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
            | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var types = new List<Type?> { t.BaseType };
        types.AddRange(t.GetInterfaces());
        types.AddRange(t.GetFields(all).Select(f => f.FieldType));
        types.AddRange(t.GetProperties(all).Select(p => p.PropertyType));
        foreach (var m in t.GetMethods(all))
        {
            types.Add(m.ReturnType);
            types.AddRange(m.GetParameters().Select(p => p.ParameterType));
            types.AddRange(m.GetMethodBody()?.LocalVariables.Select(v => v.LocalType) ?? []);
        }
        types.AddRange(t.GetConstructors(all).SelectMany(c => c.GetParameters()).Select(p => p.ParameterType));
        return types.OfType<Type>().SelectMany(Expand).Distinct();
    }

    private static IEnumerable<Type> Expand(Type t) =>
        t.IsGenericType ? t.GetGenericArguments().SelectMany(Expand).Prepend(t)
        : t.HasElementType ? Expand(t.GetElementType()!).Prepend(t)
        : [t];
}

/// <summary>Planted for <see cref="RulesArePureTests"/>: everything a rule may not do.</summary>
internal static class ImpureRule
{
    public static string Today() => DateTime.Now.ToString("d") + DateTime.UtcNow.Ticks + DateTimeOffset.UtcNow.Offset;

    public static string Read(string path) => File.ReadAllText(path);

    public static long Clock() => TimeProvider.System.GetTimestamp();

    public static int Dice() => Random.Shared.Next() + new Random(1).Next();
}
