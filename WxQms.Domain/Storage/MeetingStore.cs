using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Meetings;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>
/// Members' own part of a meeting (#18): the check-in codes (<c>checkin_codes</c>), check-ins (<c>meeting_checkins</c>),
/// leave requests (<c>leave_requests</c>) and feedback (<c>meeting_feedback</c>). Writes take the caller's transaction so
/// the change and its audit entry commit together.
/// </summary>
public sealed class MeetingStore(MySqlDataSource db)
{
    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    // ---- codes ------------------------------------------------------------------------------------

    /// <summary>Keeps a new code and forgets the task's codes older than a day (they can never be used again).</summary>
    public async Task AddCodeAsync(CheckinCode code, long issuedBy, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE FROM checkin_codes WHERE task_id = @TaskId AND issued_at < @old;
            INSERT INTO checkin_codes (scene, task_id, url, issued_at, issued_by) VALUES (@Scene, @TaskId, @Url, @at, @issuedBy);
            """, new { code.Scene, code.TaskId, code.Url, at = code.IssuedAt.UtcDateTime, old = code.IssuedAt.UtcDateTime.AddDays(-1), issuedBy },
            cancellationToken: ct));
    }

    private sealed record CodeRow(string Scene, long TaskId, string Url, DateTime IssuedAt)
    {
        public CheckinCode ToCode() => new(Scene, TaskId, Url, Utc(IssuedAt));
    }

    private const string CodeColumns = "scene AS Scene, task_id AS TaskId, url AS Url, issued_at AS IssuedAt";

    public async Task<CheckinCode?> CodeBySceneAsync(string scene, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<CodeRow>(new CommandDefinition(
            $"SELECT {CodeColumns} FROM checkin_codes WHERE scene = @scene", new { scene }, cancellationToken: ct)))?.ToCode();
    }

    public async Task<CheckinCode?> CodeByUrlAsync(string url, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryFirstOrDefaultAsync<CodeRow>(new CommandDefinition(
            $"SELECT {CodeColumns} FROM checkin_codes WHERE url = @url ORDER BY issued_at DESC LIMIT 1", new { url }, cancellationToken: ct)))?.ToCode();
    }

    // ---- check-ins --------------------------------------------------------------------------------

    private sealed record CheckinRow(long TaskId, long MemberId, DateTime CheckedInAt, bool Late, string Via)
    {
        public Checkin ToCheckin() => new(TaskId, MemberId, Utc(CheckedInAt), Late, DbNames.Parse<CheckinVia>(Via));
    }

    private const string CheckinColumns =
        "task_id AS TaskId, member_id AS MemberId, checked_in_at AS CheckedInAt, late AS Late, via AS Via";

    /// <summary>The first check-in of a member to a meeting; false (nothing written) when she is already checked in.</summary>
    public static async Task<bool> AddCheckinAsync(DbConnection conn, DbTransaction tx, Checkin c, long? markedBy, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO meeting_checkins (task_id, member_id, checked_in_at, late, via, marked_by)
            VALUES (@TaskId, @MemberId, @at, @Late, @via, @markedBy)
            """, new { c.TaskId, c.MemberId, at = c.CheckedInAt.UtcDateTime, c.Late, via = DbNames.Of(c.Via), markedBy }, tx,
            cancellationToken: ct)) == 1;

    public async Task<Checkin?> CheckinAsync(long taskId, long memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<CheckinRow>(new CommandDefinition(
            $"SELECT {CheckinColumns} FROM meeting_checkins WHERE task_id = @taskId AND member_id = @memberId",
            new { taskId, memberId }, cancellationToken: ct)))?.ToCheckin();
    }

    public async Task<IReadOnlyList<Checkin>> CheckinsAsync(long taskId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CheckinRow>(new CommandDefinition(
            $"SELECT {CheckinColumns} FROM meeting_checkins WHERE task_id = @taskId ORDER BY checked_in_at, member_id",
            new { taskId }, cancellationToken: ct))).Select(r => r.ToCheckin()).ToList();
    }

    /// <summary>Which of <paramref name="memberIds"/> are bound to WeChat (either app): the others are marked by hand.</summary>
    public async Task<IReadOnlySet<long>> BoundAsync(IReadOnlyCollection<long> memberIds, CancellationToken ct)
    {
        if (memberIds.Count == 0)
            return new HashSet<long>();
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT member_id FROM wechat_users WHERE member_id IN @memberIds", new { memberIds }, cancellationToken: ct))).ToHashSet();
    }

    // ---- leave ------------------------------------------------------------------------------------

    private sealed record LeaveRow(long Id, long TaskId, long MemberId, string MemberName, string Reason, string State, DateTime RequestedAt,
        DateTime? DecidedAt, string? Note)
    {
        public LeaveRequest ToLeave() => new(Id, TaskId, MemberId, MemberName, Reason, DbNames.Parse<LeaveState>(State), Utc(RequestedAt),
            DecidedAt is { } d ? Utc(d) : null, Note);
    }

    private const string LeaveSelect = """
        SELECT l.id AS Id, l.task_id AS TaskId, l.member_id AS MemberId, m.name AS MemberName, l.reason AS Reason, l.state AS State,
               l.requested_at AS RequestedAt, l.decided_at AS DecidedAt, l.note AS Note
        FROM leave_requests l JOIN members m ON m.id = l.member_id
        """;

    /// <summary>
    /// Who decides a leave request for a meeting of <paramref name="orgId"/>: its secretaries, or, when it has none (a party
    /// group), the secretaries of the org above it; only members on the roll.
    /// </summary>
    public static async Task<IReadOnlyList<long>> LeaveDecidersAsync(DbConnection conn, DbTransaction tx, long orgId, CancellationToken ct) =>
        (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.role = 'secretary' AND m.status IN ('full', 'probationary')
              AND r.org_id = COALESCE((SELECT x.org_id FROM member_roles x WHERE x.role = 'secretary' AND x.org_id = @orgId LIMIT 1),
                                      (SELECT o.parent_id FROM orgs o WHERE o.id = @orgId))
            ORDER BY r.member_id
            """, new { orgId }, tx, cancellationToken: ct))).ToList();

    /// <summary>
    /// Asks for leave, or asks again with a new reason while the request is still pending or was refused (then it is
    /// pending again); an approved request stays as it is. Returns the request's id, or null when it was already approved.
    /// </summary>
    public static async Task<long?> RequestLeaveAsync(DbConnection conn, DbTransaction tx, long taskId, long memberId, string reason,
        DateTimeOffset now, CancellationToken ct)
    {
        var args = new { taskId, memberId, reason, now = now.UtcDateTime, pending = DbNames.Of(LeaveState.Pending), approved = DbNames.Of(LeaveState.Approved) };
        var existing = await conn.QuerySingleOrDefaultAsync<(long Id, string State)?>(new CommandDefinition(
            "SELECT id, state FROM leave_requests WHERE task_id = @taskId AND member_id = @memberId FOR UPDATE", args, tx, cancellationToken: ct));
        if (existing is { } e)
        {
            if (e.State == args.approved)
                return null;
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE leave_requests SET reason = @reason, state = @pending, requested_at = @now, decided_at = NULL, decided_by = NULL, note = NULL
                WHERE id = @id
                """, new { args.reason, args.pending, args.now, id = e.Id }, tx, cancellationToken: ct));
            return e.Id;
        }
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO leave_requests (task_id, member_id, reason, state, requested_at) VALUES (@taskId, @memberId, @reason, @pending, @now);
            SELECT LAST_INSERT_ID();
            """, args, tx, cancellationToken: ct));
    }

    /// <summary>Approves or refuses a pending request; false when it is no longer pending.</summary>
    public static async Task<bool> DecideLeaveAsync(DbConnection conn, DbTransaction tx, long id, LeaveState state, long decidedBy, string? note,
        DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE leave_requests SET state = @state, decided_at = @now, decided_by = @decidedBy, note = @note
            WHERE id = @id AND state = @pending
            """, new { id, state = DbNames.Of(state), decidedBy, note, now = now.UtcDateTime, pending = DbNames.Of(LeaveState.Pending) }, tx,
            cancellationToken: ct)) == 1;

    public async Task<LeaveRequest?> LeaveAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<LeaveRow>(new CommandDefinition($"{LeaveSelect} WHERE l.id = @id", new { id },
            cancellationToken: ct)))?.ToLeave();
    }

    public async Task<IReadOnlyList<LeaveRequest>> LeavesOfTaskAsync(long taskId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<LeaveRow>(new CommandDefinition($"{LeaveSelect} WHERE l.task_id = @taskId ORDER BY l.requested_at, l.id",
            new { taskId }, cancellationToken: ct))).Select(r => r.ToLeave()).ToList();
    }

    /// <summary>A member's leave requests asked since <paramref name="since"/>, newest first.</summary>
    public async Task<IReadOnlyList<LeaveRequest>> LeavesOfMemberAsync(long memberId, DateTimeOffset since, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<LeaveRow>(new CommandDefinition(
            $"{LeaveSelect} WHERE l.member_id = @memberId AND l.requested_at >= @since ORDER BY l.requested_at DESC, l.id DESC LIMIT 100",
            new { memberId, since = since.UtcDateTime }, cancellationToken: ct))).Select(r => r.ToLeave()).ToList();
    }

    /// <summary>
    /// A member's check-ins and leave requests of the meetings planned (or, unplanned, due) in [from, to): what the
    /// member's record counts for a year (pass the year's first instant and the next year's, Shanghai time).
    /// </summary>
    public async Task<MemberMeetingYear> MemberYearAsync(long memberId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var args = new { memberId, from = from.UtcDateTime, to = to.UtcDateTime };
        var checkins = await conn.QueryAsync<CheckinRow>(new CommandDefinition($"""
            SELECT c.task_id AS TaskId, c.member_id AS MemberId, c.checked_in_at AS CheckedInAt, c.late AS Late, c.via AS Via
            FROM meeting_checkins c JOIN tasks t ON t.id = c.task_id
            WHERE c.member_id = @memberId AND COALESCE(t.planned_for, t.due_at) >= @from AND COALESCE(t.planned_for, t.due_at) < @to
            ORDER BY c.checked_in_at
            """, args, cancellationToken: ct));
        var leaves = await conn.QueryAsync<LeaveRow>(new CommandDefinition($"""
            {LeaveSelect} JOIN tasks t ON t.id = l.task_id
            WHERE l.member_id = @memberId AND COALESCE(t.planned_for, t.due_at) >= @from AND COALESCE(t.planned_for, t.due_at) < @to
            ORDER BY l.requested_at
            """, args, cancellationToken: ct));
        return new MemberMeetingYear(checkins.Select(r => r.ToCheckin()).ToList(), leaves.Select(r => r.ToLeave()).ToList());
    }

    // ---- feedback ---------------------------------------------------------------------------------

    /// <summary>A member's rating of a meeting; false when she has rated it already (the first stands).</summary>
    public static async Task<bool> AddFeedbackAsync(DbConnection conn, DbTransaction tx, long taskId, long memberId, int rating, string? comment,
        DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO meeting_feedback (task_id, member_id, rating, comment, created_at)
            VALUES (@taskId, @memberId, @rating, @comment, @now)
            """, new { taskId, memberId, rating, comment, now = now.UtcDateTime }, tx, cancellationToken: ct)) == 1;

    public async Task<bool> HasRatedAsync(long taskId, long memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM meeting_feedback WHERE task_id = @taskId AND member_id = @memberId", new { taskId, memberId },
            cancellationToken: ct)) > 0;
    }

    /// <summary>The ratings of each of <paramref name="taskIds"/> that has any: counts by rating (1–5), and its comments newest first.</summary>
    public async Task<IReadOnlyDictionary<long, (int[] Counts, IReadOnlyList<string> Comments)>> FeedbackAsync(IReadOnlyCollection<long> taskIds,
        CancellationToken ct)
    {
        var result = new Dictionary<long, (int[] Counts, IReadOnlyList<string> Comments)>();
        if (taskIds.Count == 0)
            return result;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long TaskId, int Rating, string? Comment)>(new CommandDefinition(
            "SELECT task_id, rating, comment FROM meeting_feedback WHERE task_id IN @taskIds ORDER BY created_at DESC",
            new { taskIds }, cancellationToken: ct));
        foreach (var group in rows.GroupBy(r => r.TaskId))
        {
            var counts = new int[5];
            foreach (var r in group)
                counts[r.Rating - 1]++;
            result[group.Key] = (counts, group.Select(r => r.Comment).OfType<string>().ToList());
        }
        return result;
    }

    /// <summary>Tasks of a subtree planned within [from, to), soonest first, not cancelled: the meetings a member may ask leave for.</summary>
    public async Task<IReadOnlyList<long>> PlannedTaskIdsAsync(string scopePath, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.path LIKE CONCAT(@scopePath, '%') AND t.planned_for >= @from AND t.planned_for < @to AND t.state <> 'cancelled'
            ORDER BY t.planned_for, t.id LIMIT 50
            """, new { scopePath, from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct))).ToList();
    }

    /// <summary>Whether the member is marked present in the task's latest submission.</summary>
    public async Task<bool> PresentInEvidenceAsync(long taskId, long memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT COUNT(*) FROM evidence_attendance a
            WHERE a.member_id = @memberId AND a.presence = 'present'
              AND a.evidence_id = (SELECT MAX(e.id) FROM task_evidence e WHERE e.task_id = @taskId)
            """, new { taskId, memberId }, cancellationToken: ct)) > 0;
    }
}
