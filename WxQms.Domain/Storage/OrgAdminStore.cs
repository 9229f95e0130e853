using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Storage;

/// <summary>The counts behind an org's warnings and its dissolution: its roll (its party groups included), committee, secretaries, children, open tasks.</summary>
public sealed record OrgCounts(int OnTheRoll, int FullMembers, int CommitteeMembers, int Secretaries, int Children, int OpenTasks);

/// <summary>Per org of a subtree: members on the roll and full members placed directly in it, committee members and secretaries held in it.</summary>
public sealed record OrgRollRow(long OrgId, int OnTheRoll, int FullMembers, int CommitteeMembers, int Secretaries);

/// <summary>
/// The console's changes to the org tree that <see cref="OrgStore"/> does not make: moving a subtree (every path and
/// depth under it rewritten) and dissolving an empty org, each in one transaction with its audit entry; and the counts
/// the org page and the tree warn with.
/// </summary>
public sealed class OrgAdminStore(MySqlDataSource db)
{
    private static readonly string[] OpenStates = Enum.GetValues<Model.Tasks.TaskState>()
        .Where(TaskTransitions.IsOpen).Select(s => DbNames.Of(s)).ToArray();

    private const string CountsSql = """
        SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE o.path LIKE @pattern AND m.status IN ('full', 'probationary');

        SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE o.path LIKE @pattern AND m.status = 'full';

        SELECT COUNT(*) FROM member_roles WHERE org_id = @id AND role = 'committee';

        SELECT COUNT(*) FROM member_roles WHERE org_id = @id AND role = 'secretary';

        SELECT COUNT(*) FROM orgs WHERE parent_id = @id AND dissolved_on IS NULL;

        SELECT COUNT(*) FROM tasks WHERE org_id = @id AND state IN @open AND opens_at <= @now;
        """;

    /// <summary>The org's counts as of now (its members on the roll include those of its party groups).</summary>
    public async Task<OrgCounts> CountsAsync(Org org, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await CountsAsync(conn, null, org, now, ct);
    }

    private static async Task<OrgCounts> CountsAsync(DbConnection conn, DbTransaction? tx, Org org, DateTimeOffset now, CancellationToken ct)
    {
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(CountsSql, new
        {
            id = org.Id, pattern = OrgPath.SubtreePattern(org.Path), open = OpenStates, now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        var counts = new int[6];
        for (var i = 0; i < counts.Length; i++)
            counts[i] = (int)await grid.ReadSingleAsync<long>();
        return new OrgCounts(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
    }

    /// <summary>The roll and roles of every org in the subtree at <paramref name="path"/>, for the tree's warnings.</summary>
    public async Task<IReadOnlyList<OrgRollRow>> RollsAsync(string path, CancellationToken ct)
    {
        const string sql = """
            SELECT m.org_id AS OrgId, COUNT(*) AS OnTheRoll, SUM(m.status = 'full') AS FullMembers
            FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE @pattern AND m.status IN ('full', 'probationary')
            GROUP BY m.org_id;

            SELECT r.org_id AS OrgId, SUM(r.role = 'committee') AS CommitteeMembers, SUM(r.role = 'secretary') AS Secretaries
            FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE o.path LIKE @pattern AND r.role IN ('committee', 'secretary')
            GROUP BY r.org_id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { pattern = OrgPath.SubtreePattern(path) },
            cancellationToken: ct));
        var roll = (await grid.ReadAsync<(long OrgId, long OnTheRoll, decimal FullMembers)>()).ToDictionary(r => r.OrgId);
        var roles = (await grid.ReadAsync<(long OrgId, decimal CommitteeMembers, decimal Secretaries)>()).ToDictionary(r => r.OrgId);
        return roll.Keys.Union(roles.Keys).Select(id =>
        {
            var (_, onRoll, full) = roll.GetValueOrDefault(id);
            var (_, committee, secretaries) = roles.GetValueOrDefault(id);
            return new OrgRollRow(id, (int)onRoll, (int)full, (int)committee, (int)secretaries);
        }).ToList();
    }

    /// <summary>
    /// A new org under <paramref name="parent"/> with its audit entry (<see cref="OrgStore.InsertAsync"/>); a code already
    /// taken is a <see cref="ConflictException"/> <c>org.code_taken</c>.
    /// </summary>
    public async Task<Org> CreateAsync(Org parent, OrgKind kind, string name, string code, DateOnly? establishedOn, bool community,
        DateTimeOffset now, Func<Org, AuditEntry> audit, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async (conn, tx) =>
            {
                var org = await OrgStore.InsertAsync(conn, tx, parent, kind, name, code, sortOrder: 0, now, ct);
                if (establishedOn is { } day)
                    await conn.ExecuteAsync(new CommandDefinition("UPDATE orgs SET established_on = @day WHERE id = @id",
                        new { day = day.ToDateTime(TimeOnly.MinValue), id = org.Id }, tx, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition("UPDATE orgs SET is_community = @community WHERE id = @id",
                    new { community, id = org.Id }, tx, cancellationToken: ct));
                await AuditLog.AppendAsync(conn, tx, audit(org), ct);
                return org;
            }, ct);
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            throw new ConflictException("org.code_taken", $"组织编码 {code} 已被使用");
        }
    }

    /// <summary>Whether the org is a community (社区): the orgs residents post wishes to.</summary>
    public async Task<bool> IsCommunityAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT is_community FROM orgs WHERE id = @id", new { id },
            cancellationToken: ct));
    }

    /// <summary>Marks the org a community or not, with its audit entry; false when it already was so (nothing written).</summary>
    public Task<bool> SetCommunityAsync(long id, bool community, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var changed = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE orgs SET is_community = @community, updated_at = @now WHERE id = @id AND is_community <> @community AND dissolved_on IS NULL
                """, new { id, community, now = audit.OccurredAt.UtcDateTime }, tx, cancellationToken: ct)) > 0;
            if (changed)
                await AuditLog.AppendAsync(conn, tx, audit, ct);
            return changed;
        }, ct);

    /// <summary>
    /// Moves <paramref name="org"/> under <paramref name="parent"/>: its parent, and the path and depth of it and every
    /// org under it, in one statement; the tokens of everyone placed or holding a role in the subtree are made stale
    /// (their grants name the old paths). Returns those members, for the caller to publish after the commit. Fails with
    /// <c>org.changed</c> when the org's path is no longer the one read.
    /// </summary>
    public Task<IReadOnlyList<long>> MoveAsync(Org org, Org parent, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync<IReadOnlyList<long>>(async (conn, tx) =>
        {
            var path = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT path FROM orgs WHERE id = @id AND dissolved_on IS NULL FOR UPDATE", new { id = org.Id }, tx, cancellationToken: ct));
            var parentPath = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT path FROM orgs WHERE id = @id AND dissolved_on IS NULL FOR UPDATE", new { id = parent.Id }, tx, cancellationToken: ct));
            if (path != org.Path || parentPath != parent.Path)
                throw new ConflictException("org.changed", "组织结构刚刚发生变化，请刷新后重试");

            var newPath = OrgPath.Child(parent.Path, org.Id);
            var pattern = OrgPath.SubtreePattern(org.Path);
            var members = (await conn.QueryAsync<long>(new CommandDefinition("""
                SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path LIKE @pattern
                UNION
                SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id WHERE o.path LIKE @pattern
                """, new { pattern }, tx, cancellationToken: ct))).ToList();
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE orgs SET path = CONCAT(@newPath, SUBSTRING(path, @cut)), depth = depth + @shift,
                    parent_id = IF(id = @id, @parentId, parent_id), updated_at = @now
                WHERE path LIKE @pattern
                """, new
            {
                newPath, cut = org.Path.Length + 1, shift = parent.Depth + 1 - org.Depth, id = org.Id, parentId = parent.Id,
                pattern, now = audit.OccurredAt.UtcDateTime,
            }, tx, cancellationToken: ct));
            foreach (var member in members)
                await MemberStore.BumpTokenVersionAsync(conn, tx, member, ct);
            await AuditLog.AppendAsync(conn, tx, audit, ct);
            return members;
        }, ct);

    /// <summary>
    /// Dissolves the org when <see cref="OrgRules.Dissolution"/> allows it on the counts read under the org's lock (so a
    /// member added meanwhile refuses it): the tasks of periods not yet open are cancelled, the org leaves the tree on
    /// <paramref name="on"/>. A refusal is a <see cref="RuleViolationException"/> with the reasons.
    /// </summary>
    public Task<int> DissolveAsync(Org org, DateOnly on, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var locked = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT id FROM orgs WHERE id = @id AND dissolved_on IS NULL FOR UPDATE", new { id = org.Id }, tx, cancellationToken: ct));
            if (locked is null)
                throw new NotFoundException($"组织 {org.Id} 不存在或已撤销", "org.not_found");
            var now = audit.OccurredAt;
            var counts = await CountsAsync(conn, tx, org, now, ct);
            if (OrgRules.Dissolution(org.Kind, counts.OnTheRoll, counts.Children, counts.OpenTasks) is { } refusal)
                throw new RuleViolationException(refusal.Code, refusal.Text);
            var cancelled = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE tasks SET state = @cancelled, next_reminder_at = NULL, row_version = row_version + 1, updated_at = @now
                WHERE org_id = @id AND state IN @open AND opens_at > @now
                """, new
            {
                id = org.Id, cancelled = DbNames.Of(Model.Tasks.TaskState.Cancelled), open = OpenStates, now = now.UtcDateTime,
            }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("UPDATE orgs SET dissolved_on = @on, updated_at = @now WHERE id = @id",
                new { id = org.Id, on = on.ToDateTime(TimeOnly.MinValue), now = now.UtcDateTime }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, audit with { Data = new { org.Name, org.Code, CancelledTasks = cancelled } }, ct);
            return cancelled;
        }, ct);
}
