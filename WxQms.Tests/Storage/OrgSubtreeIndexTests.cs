using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Rules;
using WxQms.Domain.Storage;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Storage;

/// <summary>
/// "The subtree of X is one indexed range scan on ix_orgs_path" (V0001__orgs.sql, README): the statements that
/// <see cref="OrgStore.GetSubtreeAsync"/> really sends, taken from MySqlConnector's tracing, EXPLAINed on the test
/// MariaDB holding the demo subdistrict. A community's subtree is a small part of the table; the whole tree of the
/// root is every row, and the optimizer rightly scans the table for it, so the root proves nothing either way.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class OrgSubtreeIndexTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_community_subtree_is_read_by_a_range_scan_on_ix_orgs_path()
    {
        await using var conn = await TestDb.OpenAsync();
        // The reset truncates the tables and the seed refills them; InnoDB recounts its statistics in the background
        // after that. A database in service has them current, so the test does not race the recount.
        await conn.ExecuteAsync(new CommandDefinition("ANALYZE TABLE orgs, members", cancellationToken: Ct));
        var community = await conn.QueryFirstAsync<(long Id, string Path)>(new CommandDefinition(
            "SELECT id, path FROM orgs WHERE depth = 1 ORDER BY sort_order, id", cancellationToken: Ct));
        Assert.True(seeded.Result.Orgs > 100, $"the demo subdistrict has {seeded.Result.Orgs} orgs");

        var sent = await StatementsSentByAsync(() => app.Get<OrgStore>().GetSubtreeAsync(community.Id, Ct));

        var subtree = sent.SelectMany(s => s.Split(';')).Where(s => s.Contains("path LIKE @pattern", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, subtree.Count); // the orgs, and their member counts
        foreach (var sql in subtree)
        {
            var plan = (await conn.QueryAsync(new CommandDefinition("EXPLAIN " + sql,
                new { pattern = OrgPath.SubtreePattern(community.Path) }, cancellationToken: Ct)))
                .Cast<IDictionary<string, object?>>().ToList();
            // The orgs row of the plan (aliased or not) is the one that could use ix_orgs_path.
            var orgs = Assert.Single(plan, r => $"{r["possible_keys"]}".Split(',').Contains("ix_orgs_path"));
            Assert.True((orgs["key"], orgs["type"]) is ("ix_orgs_path", "range"),
                $"expected a range scan on ix_orgs_path for:\n{sql.Trim()}\nplan: {string.Join("; ", plan.Select(Describe))}");
        }
    }

    /// <summary>The SQL text of every command MySqlConnector runs inside <paramref name="action"/>.</summary>
    private static async Task<IReadOnlyList<string>> StatementsSentByAsync(Func<Task> action)
    {
        var sent = new ConcurrentQueue<string>();
        ActivityTraceId? trace = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "MySqlConnector",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                // Only this test's commands: other test classes may run theirs at the same time. The tag is
                // db.statement by default, db.query.text under the newer OpenTelemetry conventions.
                if (a.TraceId == trace && (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement")) is string sql)
                    sent.Enqueue(sql);
            },
        };
        ActivitySource.AddActivityListener(listener);
        using (var root = new Activity("subtree").Start())
        {
            trace = root.TraceId;
            await action();
        }
        return [.. sent];
    }

    private static string Describe(IDictionary<string, object?> row) =>
        $"table={row["table"]} type={row["type"]} possible_keys={row["possible_keys"]} key={row["key"]} rows={row["rows"]}";
}
