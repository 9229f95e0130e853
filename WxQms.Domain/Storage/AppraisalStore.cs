using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Rules.Assessment;

namespace WxQms.Domain.Storage;

/// <summary>A 不合格's follow-up: the talk and the improvement plan the secretary records, open until she closes it.</summary>
public sealed record AppraisalFollowUp(long Id, int Year, long MemberId, string MemberName, long OrgId, DateTimeOffset OpenedAt, DateOnly DueOn,
    DateOnly? TalkedOn, string? Plan, DateTimeOffset? ClosedAt);

/// <summary>民主评议 grades (appraisals) and the follow-ups of 不合格 (appraisal_followups).</summary>
public sealed class AppraisalStore(MySqlDataSource db)
{
    private sealed class FollowUpRow
    {
        public long Id { get; init; }
        public int Year { get; init; }
        public long MemberId { get; init; }
        public string MemberName { get; init; } = "";
        public long OrgId { get; init; }
        public DateTime OpenedAt { get; init; }
        public DateTime DueOn { get; init; }
        public DateTime? TalkedOn { get; init; }
        public string? Plan { get; init; }
        public DateTime? ClosedAt { get; init; }
    }

    private const string FollowUpColumns = """
        f.id AS Id, f.year AS Year, f.member_id AS MemberId, m.name AS MemberName, f.org_id AS OrgId, f.opened_at AS OpenedAt,
        f.due_on AS DueOn, f.talked_on AS TalkedOn, f.plan AS Plan, f.closed_at AS ClosedAt
        """;

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    /// <summary>Every grade of a year, by member (what the stars read).</summary>
    public async Task<IReadOnlyDictionary<long, AppraisalGrade>> GradesAsync(int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long, string)>(new CommandDefinition(
            "SELECT member_id, grade FROM appraisals WHERE year = @year", new { year }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Item1, r => DbNames.Parse<AppraisalGrade>(r.Item2));
    }

    /// <summary>The grades of the members sitting in the subtree at <paramref name="orgPath"/>.</summary>
    public async Task<IReadOnlyDictionary<long, AppraisalGrade>> GradesAsync(string orgPath, int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await GradesAsync(conn, null, orgPath, year, ct);
    }

    public static async Task<IReadOnlyDictionary<long, AppraisalGrade>> GradesAsync(DbConnection conn, DbTransaction? tx, string orgPath,
        int year, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(long, string)>(new CommandDefinition("""
            SELECT a.member_id, a.grade FROM appraisals a JOIN members m ON m.id = a.member_id JOIN orgs o ON o.id = m.org_id
            WHERE a.year = @year AND o.path LIKE @pattern
            FOR UPDATE
            """, new { year, pattern = Rules.OrgPath.SubtreePattern(orgPath) }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Item1, r => DbNames.Parse<AppraisalGrade>(r.Item2));
    }

    public static Task RecordAsync(DbConnection conn, DbTransaction tx, int year, long memberId, long orgId, AppraisalGrade grade,
        long? byMemberId, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO appraisals (year, member_id, org_id, grade, recorded_at, recorded_by_member_id)
            VALUES (@year, @memberId, @orgId, @grade, @now, @byMemberId)
            ON DUPLICATE KEY UPDATE org_id = @orgId, grade = @grade, recorded_at = @now, recorded_by_member_id = @byMemberId
            """, new { year, memberId, orgId, grade = DbNames.Of(grade), now = now.UtcDateTime, byMemberId }, tx, cancellationToken: ct));

    /// <summary>Opens a follow-up unless the member has one for the year; its id, or null when one existed.</summary>
    public static async Task<long?> OpenFollowUpAsync(DbConnection conn, DbTransaction tx, int year, long memberId, long orgId, DateOnly dueOn,
        DateTimeOffset now, CancellationToken ct)
    {
        var inserted = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO appraisal_followups (year, member_id, org_id, opened_at, due_on) VALUES (@year, @memberId, @orgId, @now, @dueOn)
            """, new { year, memberId, orgId, now = now.UtcDateTime, dueOn = dueOn.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct));
        if (inserted == 0)
            return null;
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT LAST_INSERT_ID()", transaction: tx, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<AppraisalFollowUp>> FollowUpsAsync(string orgPath, int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<FollowUpRow>(new CommandDefinition($"""
            SELECT {FollowUpColumns} FROM appraisal_followups f JOIN members m ON m.id = f.member_id JOIN orgs o ON o.id = f.org_id
            WHERE f.year = @year AND o.path LIKE @pattern ORDER BY f.id
            """, new { year, pattern = Rules.OrgPath.SubtreePattern(orgPath) }, cancellationToken: ct));
        return rows.Select(ToFollowUp).ToList();
    }

    /// <summary>Open follow-ups due on or before <paramref name="until"/>, with their branch's name (the follow-up reminder scan).</summary>
    public static async Task<IReadOnlyList<(AppraisalFollowUp FollowUp, string OrgName)>> OpenDueAsync(DbConnection conn, DbTransaction tx,
        DateOnly until, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<FollowUpRow, string, (FollowUpRow, string)>(new CommandDefinition($"""
            SELECT {FollowUpColumns}, o.name AS OrgName FROM appraisal_followups f JOIN members m ON m.id = f.member_id JOIN orgs o ON o.id = f.org_id
            WHERE f.closed_at IS NULL AND f.due_on <= @until ORDER BY f.id
            """, new { until = until.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct), (r, name) => (r, name), splitOn: "OrgName");
        return rows.Select(r => (ToFollowUp(r.Item1), r.Item2)).ToList();
    }

    public static async Task<AppraisalFollowUp?> LockFollowUpAsync(DbConnection conn, DbTransaction tx, long id, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<FollowUpRow>(new CommandDefinition($"""
            SELECT {FollowUpColumns} FROM appraisal_followups f JOIN members m ON m.id = f.member_id WHERE f.id = @id FOR UPDATE
            """, new { id }, tx, cancellationToken: ct));
        return row is null ? null : ToFollowUp(row);
    }

    public static Task UpdateFollowUpAsync(DbConnection conn, DbTransaction tx, long id, DateOnly? talkedOn, string? plan, bool close,
        DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE appraisal_followups SET talked_on = @talkedOn, plan = @plan, closed_at = CASE WHEN @close THEN @now ELSE NULL END
            WHERE id = @id
            """, new { id, talkedOn = talkedOn?.ToDateTime(TimeOnly.MinValue), plan, close, now = now.UtcDateTime }, tx, cancellationToken: ct));

    private static AppraisalFollowUp ToFollowUp(FollowUpRow r) => new(r.Id, r.Year, r.MemberId, r.MemberName, r.OrgId,
        new DateTimeOffset(DateTime.SpecifyKind(r.OpenedAt, DateTimeKind.Utc)), DateOnly.FromDateTime(r.DueOn),
        r.TalkedOn is { } t ? DateOnly.FromDateTime(t) : null, r.Plan,
        r.ClosedAt is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : null);
}

/// <summary>What recording a branch's grades reads besides the grades.</summary>
public static class AppraisalFacts
{
    /// <summary>Whether the org held its 组织生活会 of <paramref name="year"/> (its yearly task completed).</summary>
    public static Task<bool> OrgLifeHeldAsync(DbConnection conn, DbTransaction tx, long orgId, int year, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM tasks WHERE org_id = @orgId AND template_code = @code AND period_key = @key AND state = 'completed')
            """, new { orgId, code = Rules.Tasks.TaskCodes.OrgLifeMeeting, key = year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) },
            tx, cancellationToken: ct));

    /// <summary>The secretaries of an org (who a follow-up reminds).</summary>
    public static async Task<IReadOnlyList<long>> SecretariesAsync(DbConnection conn, DbTransaction tx, long orgId, CancellationToken ct) =>
        (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT member_id FROM member_roles WHERE org_id = @orgId AND role = 'secretary' ORDER BY member_id", new { orgId }, tx,
            cancellationToken: ct))).ToList();
}
