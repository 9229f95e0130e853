using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Storage;

/// <summary>An org as the go-live page lists it: its own go-live and the one in force (its own or an ancestor's).</summary>
public sealed record GoLiveRow(long Id, long? ParentId, string Path, int Depth, string Kind, string Name, string Code, DateOnly? LiveOn,
    DateOnly? InForce);

/// <summary>
/// What setting (or clearing: <see cref="LiveOn"/> null) a go-live did: the date before, the one in force now (its own,
/// else its nearest ancestor's; null: nothing limits it), and the tasks of earlier periods it cancelled.
/// </summary>
public sealed record GoLiveChange(long OrgId, string OrgName, DateOnly? Previous, DateOnly? LiveOn, DateOnly? InForce, IReadOnlyList<long> Cancelled);

/// <summary>
/// orgs.live_on: reads the subdistrict and its communities with their go-live, and sets one org's, cancelling in the same
/// transaction the tasks due before it that nobody has started (pending, or overdue without evidence) in the part of the
/// subtree that follows this org's date, with each task's trail, the overdue deductions netted, and the change's audit.
/// </summary>
public sealed class GoLiveStore(MySqlDataSource db)
{
    private sealed record OrgRow(long Id, long? ParentId, string Path, int Depth, string Kind, string Name, string Code, DateTime? LiveOn);

    /// <summary>Tasks nobody has started: no plan reported, no evidence (an overdue one has its deduction netted).</summary>
    public static readonly TaskState[] Unstarted = [TaskState.Pending, TaskState.Overdue];

    /// <summary>The roots and the orgs directly under them (the subdistrict and its communities), with their go-live.</summary>
    public async Task<IReadOnlyList<GoLiveRow>> ListAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<OrgRow>(new CommandDefinition("""
            SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code,
                   live_on AS LiveOn
            FROM orgs WHERE depth <= 1 ORDER BY path
            """, cancellationToken: ct))).ToList();
        var byId = rows.ToDictionary(r => r.Id);
        return rows.Select(r => new GoLiveRow(r.Id, r.ParentId, r.Path, r.Depth, r.Kind, r.Name, r.Code, Day(r.LiveOn),
            InForce(r, byId, stopAt: null))).ToList();
    }

    /// <summary>
    /// Sets the org's go-live, or clears it (<paramref name="liveOn"/> null: it follows its nearest ancestor's again),
    /// and cancels the unstarted tasks due before the date now in force in its subtree (except under a descendant with
    /// a go-live of its own); null when there is no such org. Clearing an org without a date of its own throws
    /// <see cref="ConflictException"/> and changes nothing.
    /// </summary>
    public Task<GoLiveChange?> SetAsync(long orgId, DateOnly? liveOn, string actor, long? actorMemberId, DateTimeOffset now,
        CancellationToken ct) => db.InTransactionAsync(async (conn, tx) =>
    {
        var org = await conn.QuerySingleOrDefaultAsync<OrgRow>(new CommandDefinition("""
            SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code,
                   live_on AS LiveOn
            FROM orgs WHERE id = @orgId FOR UPDATE
            """, new { orgId }, tx, cancellationToken: ct));
        if (org is null)
            return null;
        if (liveOn is null && org.LiveOn is null)
            throw new ConflictException("go_live.not_set", $"{org.Name}没有单独设置上线日期，无需清除");
        await conn.ExecuteAsync(new CommandDefinition("UPDATE orgs SET live_on = @day WHERE id = @orgId",
            new { orgId, day = liveOn?.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct));
        var ancestors = (await conn.QueryAsync<OrgRow>(new CommandDefinition("""
            SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code,
                   live_on AS LiveOn
            FROM orgs WHERE id IN @ids
            """, new { ids = OrgPath.Ids(org.Path).ToArray() }, tx, cancellationToken: ct))).ToDictionary(r => r.Id);
        ancestors[org.Id] = org with { LiveOn = liveOn?.ToDateTime(TimeOnly.MinValue) };
        var inForce = InForce(ancestors[org.Id], ancestors, stopAt: null);

        // The subtree's orgs that follow this date: not under (nor being) a descendant with a go-live of its own.
        var subtree = (await conn.QueryAsync<OrgRow>(new CommandDefinition("""
            SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code,
                   live_on AS LiveOn
            FROM orgs WHERE path LIKE @pattern
            """, new { pattern = OrgPath.SubtreePattern(org.Path) }, tx, cancellationToken: ct))).ToList();
        var byId = subtree.ToDictionary(r => r.Id);
        var following = subtree.Where(r => r.Id == org.Id || InForce(r, byId, stopAt: org.Id) is null).Select(r => r.Id).ToArray();

        var liveFrom = inForce is { } day ? LocalTime.ToInstant(day, TimeOnly.MinValue) : DateTimeOffset.MinValue;
        var tasks = inForce is null ? [] : (await conn.QueryAsync<(long Id, long OrgId, string State)>(new CommandDefinition("""
            SELECT id, org_id, state FROM tasks
            WHERE org_id IN @following AND adhoc = FALSE AND due_at <= @liveFrom AND state IN @unstarted
            ORDER BY id FOR UPDATE
            """, new { following, liveFrom = liveFrom.UtcDateTime, unstarted = Unstarted.Select(DbNames.Of).ToArray() }, tx,
            cancellationToken: ct))).ToList();
        var ids = tasks.Select(t => t.Id).ToArray();
        var reason = $"{org.Name}于{inForce:yyyy年M月d日}上线，此前的任务不再要求";
        if (ids.Length > 0)
        {
            var to = DbNames.Of(TaskState.Cancelled);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE tasks SET state = @to, review_status = NULL, next_reminder_at = NULL, row_version = row_version + 1,
                    updated_at = @now
                WHERE id IN @ids
                """, new { ids, to, now = now.UtcDateTime }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, tasks.Select(t => new AuditEntry(now, actor, "task.cancelled", "task", t.Id, t.OrgId,
                actorMemberId, new { From = t.State, To = to, Reason = reason })), ct);
            await LedgerStore.NetOutAsync(conn, tx, new LedgerNetting(ids, LedgerSources.Cancelled, reason, now), ct);
        }
        await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, actor, liveOn is null ? "org.go_live_cleared" : "org.go_live_set", "org", org.Id,
            org.Id, actorMemberId, new { From = Day(org.LiveOn), To = liveOn, InForce = inForce, CancelledTasks = ids.Length }), ct);
        return new GoLiveChange(org.Id, org.Name, Day(org.LiveOn), liveOn, inForce, ids);
    }, ct);

    private static DateOnly? Day(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;

    /// <summary>The go-live in force for the org: its own, else its nearest ancestor's (not looking above <paramref name="stopAt"/>).</summary>
    private static DateOnly? InForce(OrgRow org, IReadOnlyDictionary<long, OrgRow> byId, long? stopAt)
    {
        for (OrgRow? o = org; o is not null && o.Id != stopAt; o = o.ParentId is { } p ? byId.GetValueOrDefault(p) : null)
            if (o.LiveOn is { } day)
                return DateOnly.FromDateTime(day);
        return null;
    }
}
