using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Api;

/// <summary>
/// The mini program's jest tests mock the Api with responses checked against a committed copy of the
/// OpenAPI document (miniprogram/test/contract/openapi.json). This test keeps that copy honest: the
/// routes it lists (the ones the mini program calls), and every schema they reach, must read the same
/// in the running Api. Routes the mini program needs before the Api has them are described by hand in
/// pending.json beside it; once the Api serves one, it moves into the copy.
/// Summaries, descriptions, tags and operation ids are left out, so wording changes break nothing;
/// routes the mini program does not call are left out, so unrelated additions break nothing.
/// Refresh after a deliberate change: WXQMS_UPDATE_CONTRACT=1 dotnet test --filter MiniProgramContractTests
/// (then run npm test in miniprogram/ to see which mocks no longer fit).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class MiniProgramContractTests(WxQmsApp app)
{
    private const string UpdateVariable = "WXQMS_UPDATE_CONTRACT";
    private static readonly string[] Volatile = ["summary", "description", "tags", "operationId"];
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch"];
    private static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep Chinese readable in the diff
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string ContractDir => Path.Combine(TestEnvironment.RepoRoot(), "miniprogram", "test", "contract");
    private static string CopyPath => Path.Combine(ContractDir, "openapi.json");
    private static string PendingPath => Path.Combine(ContractDir, "pending.json");
    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    [Fact]
    public async Task The_routes_the_mini_program_calls_read_the_same_in_the_api_as_in_its_committed_copy()
    {
        var live = await LiveDocumentAsync();
        var copy = ReadJson(CopyPath);
        var pending = File.Exists(PendingPath) ? ReadJson(PendingPath) : new JsonObject { ["paths"] = new JsonObject() };

        var used = Routes(copy);
        var arrived = Routes(pending).Where(r => Operation(live, r) is not null).ToList();
        var wanted = used.Concat(arrived).Distinct().ToList();
        var missing = wanted.Where(r => Operation(live, r) is null).ToList();
        var expected = Subset(live, wanted.Except(missing).ToList());

        if (Updating)
        {
            File.WriteAllText(CopyPath, expected.ToJsonString(Pretty) + "\n");
            if (arrived.Count > 0)
            {
                foreach (var (method, path) in arrived)
                    RemoveOperation(pending, method, path);
                File.WriteAllText(PendingPath, pending.ToJsonString(Pretty) + "\n");
            }
            Assert.Empty(missing.Select(Show)); // a route that is gone cannot be refreshed away
            return;
        }

        var problems = new List<string>();
        problems.AddRange(missing.Select(r => $"{Show(r)} is called by the mini program but the Api no longer serves it"));
        problems.AddRange(arrived.Select(r => $"{Show(r)} is now served by the Api: it moves from pending.json into openapi.json"));
        problems.AddRange(Differences(copy, expected));
        Assert.True(problems.Count == 0,
            "The mini program's contract (miniprogram/test/contract/openapi.json) differs from the Api:\n  - "
            + string.Join("\n  - ", problems)
            + $"\nIf the change is intended, refresh the copy with\n  {UpdateVariable}=1 dotnet test WxQms.Tests --filter MiniProgramContractTests\n"
            + "then run `npm test` in miniprogram/: its mocks are validated against the copy and show what to adapt.");
    }

    [Fact]
    public void The_committed_copy_resolves_every_reference_and_holds_no_stray_schema()
    {
        var copy = ReadJson(CopyPath);

        var schemas = copy["components"]?["schemas"]?.AsObject() ?? [];
        var reachable = References(copy["paths"]).Concat(schemas.SelectMany(s => References(s.Value))).ToHashSet();

        Assert.NotEmpty(Routes(copy));
        var unresolved = reachable.Where(r => !schemas.ContainsKey(r)).ToList();
        var stray = schemas.Select(s => s.Key).Where(s => !reachable.Contains(s)).ToList();
        Assert.True(unresolved.Count == 0, "$ref to schemas missing from the copy: " + string.Join(", ", unresolved));
        Assert.True(stray.Count == 0, "schemas no route reaches: " + string.Join(", ", stray));
    }

    private async Task<JsonObject> LiveDocumentAsync()
    {
        using var client = app.CreateClient();
        var text = await client.GetStringAsync("/openapi/v1.json", Ct);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static JsonObject ReadJson(string path) =>
        File.Exists(path)
            ? JsonNode.Parse(File.ReadAllText(path))!.AsObject()
            : throw new FileNotFoundException($"{path} is missing: the mini program's contract copy must be committed", path);

    private static List<(string Method, string Path)> Routes(JsonObject doc) =>
        doc["paths"]?.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(m => HttpMethods.Contains(m.Key)).Select(m => (m.Key, p.Key)))
            .ToList() ?? [];

    private static JsonNode? Operation(JsonObject doc, (string Method, string Path) route) =>
        doc["paths"]?[route.Path]?[route.Method];

    private static string Show((string Method, string Path) route) => $"{route.Method.ToUpperInvariant()} {route.Path}";

    /// <summary>The used operations without their prose, and every schema they reach through $ref.</summary>
    private static JsonObject Subset(JsonObject live, List<(string Method, string Path)> routes)
    {
        var paths = new JsonObject();
        foreach (var group in routes.OrderBy(r => r.Path, StringComparer.Ordinal).GroupBy(r => r.Path))
        {
            var item = new JsonObject();
            foreach (var (method, path) in group.OrderBy(r => r.Method, StringComparer.Ordinal))
                item[method] = WithoutProse(Operation(live, (method, path))!);
            paths[group.Key] = item;
        }

        var liveSchemas = live["components"]?["schemas"]?.AsObject();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(References(paths));
        while (queue.TryDequeue(out var name))
        {
            if (!names.Add(name))
                continue;
            foreach (var next in References(liveSchemas?[name]))
                queue.Enqueue(next);
        }
        var schemas = new JsonObject();
        foreach (var name in names)
            schemas[name] = liveSchemas?[name] is { } s ? WithoutProse(s) : null;

        return new JsonObject
        {
            ["openapi"] = live["openapi"]?.DeepClone(),
            ["info"] = new JsonObject
            {
                ["title"] = "WxQms Api: the routes the mini program calls",
                ["x-refresh"] = $"{UpdateVariable}=1 dotnet test WxQms.Tests --filter MiniProgramContractTests",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonNode WithoutProse(JsonNode node)
    {
        var clone = node.DeepClone();
        Strip(clone);
        return clone;

        static void Strip(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var key in Volatile)
                    {
                        // "description" is also a property name inside a schema's "properties": keep those.
                        if (o[key] is JsonValue || (key == "tags" && o[key] is JsonArray))
                            o.Remove(key);
                    }
                    foreach (var (_, child) in o.ToList())
                        Strip(child);
                    break;
                case JsonArray a:
                    foreach (var child in a)
                        Strip(child);
                    break;
            }
        }
    }

    private static IEnumerable<string> References(JsonNode? node)
    {
        const string prefix = "#/components/schemas/";
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    if (key == "$ref" && child is JsonValue v && v.GetValue<string>() is { } r && r.StartsWith(prefix))
                        yield return r[prefix.Length..];
                    foreach (var inner in References(child))
                        yield return inner;
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                    foreach (var inner in References(child))
                        yield return inner;
                break;
        }
    }

    private static void RemoveOperation(JsonObject doc, string method, string path)
    {
        if (doc["paths"]?[path] is not JsonObject item)
            return;
        item.Remove(method);
        if (!item.Any(m => HttpMethods.Contains(m.Key)))
            doc["paths"]!.AsObject().Remove(path);
    }

    /// <summary>What differs, named by route and schema, with both sides of the first differing value.</summary>
    private static IEnumerable<string> Differences(JsonObject copy, JsonObject expected)
    {
        foreach (var route in Routes(expected))
        {
            var was = Operation(copy, route);
            var now = Operation(expected, route);
            if (!JsonNode.DeepEquals(was, now))
                yield return $"{Show(route)}: {FirstDifference(was, now, "")}";
        }
        var copySchemas = copy["components"]?["schemas"]?.AsObject() ?? [];
        var liveSchemas = expected["components"]?["schemas"]?.AsObject() ?? [];
        foreach (var name in copySchemas.Select(s => s.Key).Union(liveSchemas.Select(s => s.Key)).Order(StringComparer.Ordinal))
        {
            var was = copySchemas[name];
            var now = liveSchemas[name];
            if (!JsonNode.DeepEquals(was, now))
                yield return $"schema {name}: {FirstDifference(was, now, "")}";
        }
    }

    private static string FirstDifference(JsonNode? was, JsonNode? now, string at)
    {
        if (was is JsonObject a && now is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
            {
                if (!JsonNode.DeepEquals(a[key], b[key]))
                    return FirstDifference(a[key], b[key], $"{at}/{key}");
            }
        }
        return new StringBuilder()
            .Append(at.Length == 0 ? "/" : at)
            .Append(" was ").Append(was?.ToJsonString() ?? "absent")
            .Append(", the Api now says ").Append(now?.ToJsonString() ?? "absent")
            .ToString();
    }
}
