using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;

namespace WxQms.Bench;

/// <summary>
/// The yearly plan of a whole district: 17 subdistricts × 4 communities × 15 branches (1,020
/// branches, each with a committee and two party groups) and the full catalogue. Prints the pure
/// generation time beside the whole run (read orgs, generate, store), then a second, idempotent run.
/// </summary>
public static class PlanDistrict
{
    public static async Task<int> RunAsync(string connectionString)
    {
        await using var db = new MySqlDataSource(WxQmsCoreExtensions.MySqlConnectionString(connectionString));
        await new DbMigrator(db, NullLogger<DbMigrator>.Instance).MigrateAsync();
        var branches = await BuildDistrictAsync(db);

        var store = new TaskStore(db);
        var orgs = await store.LoadOrgsForPlanningAsync(CancellationToken.None);
        var pure = Stopwatch.StartNew();
        var planned = PlanGenerator.ForYear(2027, orgs, TaskCatalogue.Default);
        pure.Stop();

        var service = new PlanService(store, new FixedCatalogue(), TimeProvider.System, NullLogger<PlanService>.Instance);
        var full = Stopwatch.StartNew();
        var first = await service.GenerateYearAsync(2027, CancellationToken.None);
        full.Stop();
        var rerun = Stopwatch.StartNew();
        var second = await service.GenerateYearAsync(2027, CancellationToken.None);
        rerun.Stop();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plan-district branches={branches} tasks={first.Planned} created={first.Created} " +
            $"generate={pure.Elapsed.TotalSeconds:0.000}s full={full.Elapsed.TotalSeconds:0.00}s " +
            $"rerun={rerun.Elapsed.TotalSeconds:0.00}s rerun-created={second.Created} " +
            $"store-per-task={full.Elapsed.TotalMilliseconds / Math.Max(1, planned.Count) * 1000:0}us"));
        return first.Created == planned.Count && second.Created == 0 ? 0 : 1;
    }

    internal static async Task<int> BuildDistrictAsync(MySqlDataSource db)
    {
        var now = DateTimeOffset.UtcNow;
        var branches = 0;
        // BENCH_SUBDISTRICTS (default 17) shrinks the district for a small trial run.
        var subdistricts = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SUBDISTRICTS"), out var n) && n is > 0 and <= 17 ? n : 17;
        for (var s = 1; s <= subdistricts; s++)
        {
            await using var conn = await db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            var subdistrict = await OrgStore.InsertAsync(conn, tx, null, OrgKind.Subdistrict, $"第{s}街道党工委", $"S{s:00}", s, now, default);
            for (var c = 1; c <= 4; c++)
            {
                var community = await OrgStore.InsertAsync(conn, tx, subdistrict, OrgKind.CommunityCommittee, $"第{c}社区党委",
                    $"S{s:00}-C{c}", c, now, default);
                for (var b = 1; b <= 15; b++)
                {
                    var code = $"S{s:00}-C{c}-B{b:00}";
                    var branch = await OrgStore.InsertAsync(conn, tx, community, OrgKind.Branch, $"第{b}党支部", code, b, now, default);
                    for (var g = 1; g <= 2; g++)
                        await OrgStore.InsertAsync(conn, tx, branch, OrgKind.PartyGroup, $"第{g}党小组", $"{code}-G{g}", g, now, default);
                    for (var m = 1; m <= 3; m++)
                    {
                        var id = await MemberStore.InsertAsync(conn, tx, new NewMember(branch.Id, "委员", Sex.Female, null, null,
                            MemberStatus.Full, null, false, false, $"{code}-M{m}"), now, default);
                        await MemberStore.InsertRolesAsync(conn, tx, [new MemberRole(id, Roles.Committee, branch.Id)], now, default);
                    }
                    branches++;
                }
            }
            await conn.ExecuteAsyncRaw("UPDATE orgs SET established_on = '2020-01-01' WHERE established_on IS NULL", tx);
            await tx.CommitAsync();
        }
        return branches;
    }

    private static async Task ExecuteAsyncRaw(this MySqlConnection conn, string sql, MySqlTransaction tx)
    {
        await using var cmd = new MySqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync();
    }
}
