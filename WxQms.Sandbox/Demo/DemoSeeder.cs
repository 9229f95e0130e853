using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;
using WxQms.Sandbox.Seeding;

namespace WxQms.Sandbox.Demo;

public sealed record SeedResult(bool AlreadySeeded, int Orgs, int Members, int Roles);

/// <summary>
/// Writes <see cref="DemoSubdistrict"/> into an empty database, all in one transaction: a run that is
/// killed half way leaves nothing behind, and a second run finds the root and does nothing.
/// </summary>
public sealed class DemoSeeder(MySqlDataSource db, OrgTreeCache cache, TimeProvider clock, ILogger<DemoSeeder> log)
{
    public const string Actor = "seed";

    public static readonly DateOnly EstablishedOn = new(2018, 1, 1);

    public async Task<SeedResult> SeedAsync(CancellationToken ct)
    {
        var plan = DemoSubdistrict.Build();
        var root = plan.Orgs[0];
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM orgs WHERE code = @Code", new { root.Code }, cancellationToken: ct)) is not null)
        {
            log.LogInformation("Demo subdistrict {Code} already seeded; nothing to do", root.Code);
            return new SeedResult(true, 0, 0, 0);
        }

        var now = clock.GetUtcNow();
        await using var tx = await conn.BeginTransactionAsync(ct);

        var orgs = new Dictionary<string, Org>();
        foreach (var o in plan.Orgs)
        {
            var parent = o.ParentCode is null ? null : orgs[o.ParentCode];
            orgs[o.Code] = await OrgStore.InsertAsync(conn, tx, parent, o.Kind, o.Name, o.Code, o.SortOrder, now, ct);
        }
        // The demo organisations were set up long before the system came, so each gets a full year's plan.
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE orgs SET established_on = @EstablishedOn WHERE established_on IS NULL",
            new { EstablishedOn = EstablishedOn.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct));
        // Every org right under the subdistrict is a community, the 12 党总支 and 党支部 among them as much as the 4 社区党委.
        await conn.ExecuteAsync(new CommandDefinition("UPDATE orgs SET is_community = TRUE WHERE depth = 1", transaction: tx,
            cancellationToken: ct));
        log.LogInformation("Seeded {Count} orgs under {Root}", orgs.Count, root.Name);

        var roles = 0;
        for (var i = 0; i < plan.Members.Count; i++)
        {
            var m = plan.Members[i];
            var id = await MemberStore.InsertAsync(conn, tx, new NewMember(orgs[m.OrgCode].Id, m.Name, m.Sex,
                m.BirthDate, m.JoinedOn, m.Status, m.Phone, m.Retired, m.Mobile, m.Code), now, ct);
            await MemberStore.InsertRolesAsync(conn, tx,
                m.Roles.Select(r => new MemberRole(id, r.Role, orgs[r.OrgCode].Id)), now, ct);
            roles += m.Roles.Count;
            if ((i + 1) % 500 == 0 || i + 1 == plan.Members.Count)
                log.LogInformation("Seeded {Done}/{Total} members", i + 1, plan.Members.Count);
        }

        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, Actor, "seed.applied", "org", orgs[root.Code].Id,
            orgs[root.Code].Id, Data: new { Orgs = orgs.Count, Members = plan.Members.Count, Roles = roles }), ct);
        await tx.CommitAsync(ct);
        await cache.InvalidateAsync();
        return new SeedResult(false, orgs.Count, plan.Members.Count, roles);
    }
}
