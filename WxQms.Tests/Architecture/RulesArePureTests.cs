using System.Reflection;
using System.Text.RegularExpressions;
using WxQms.Domain.Model;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Architecture;

/// <summary>Model and Rules hold the hard logic as pure functions: no database, cache, network or web.</summary>
public sealed class RulesArePureTests
{
    private static readonly string[] Forbidden =
        ["MySqlConnector", "Dapper", "StackExchange.Redis", "System.Net.Http", "Microsoft.AspNetCore", "EvolveDb"];

    private static readonly string[] PureNamespaces = ["WxQms.Domain.Model", "WxQms.Domain.Rules"];

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
    public void Model_and_rules_sources_do_not_mention_io_namespaces()
    {
        var domain = Path.Combine(TestEnvironment.RepoRoot(), "WxQms.Domain");
        var files = new[] { "Model", "Rules" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(domain, d), "*.cs", SearchOption.AllDirectories))
            .ToList();
        Assert.NotEmpty(files);

        var offending = files
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => Forbidden.Any(ns => Regex.IsMatch(x.line, $@"\b{Regex.Escape(ns)}\b")))
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
