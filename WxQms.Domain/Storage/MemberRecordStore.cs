using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>A meeting a member was on the attendance list of: the task, when it was held, and her mark.</summary>
public sealed record RecordMeeting(long TaskId, string TemplateCode, int TemplateVersion, string? AdhocTitle, DateTimeOffset HeldAt,
    string Presence);

/// <summary>One of a member's ledger entries: when, how many points, from which source, why, and about which task.</summary>
public sealed record RecordPoints(long Id, DateTimeOffset At, decimal Points, string Source, string Reason, long? TaskId,
    string? TemplateCode, int? TemplateVersion, string? AdhocTitle);

/// <summary>What 我的 reads about one member: her attendance marks and her ledger entries.</summary>
public sealed class MemberRecordStore(MySqlDataSource db)
{
    private sealed class MeetingRow
    {
        public long TaskId { get; init; }
        public string TemplateCode { get; init; } = "";
        public int TemplateVersion { get; init; }
        public string? AdhocTitle { get; init; }
        public DateTime HeldAt { get; init; }
        public string Presence { get; init; } = "";
    }

    private sealed class PointsRow
    {
        public long Id { get; init; }
        public DateTime At { get; init; }
        public decimal Points { get; init; }
        public string Source { get; init; } = "";
        public string Reason { get; init; } = "";
        public long? TaskId { get; init; }
        public string? TemplateCode { get; init; }
        public int? TemplateVersion { get; init; }
        public string? AdhocTitle { get; init; }
    }

    /// <summary>
    /// The member's marks on the latest submission of each task (a returned task's earlier submissions do not count)
    /// held in [<paramref name="from"/>, <paramref name="to"/>), cancelled tasks left out, newest first.
    /// </summary>
    public async Task<IReadOnlyList<RecordMeeting>> MeetingsAsync(long memberId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<MeetingRow>(new CommandDefinition("""
            SELECT t.id AS TaskId, t.template_code AS TemplateCode, t.template_version AS TemplateVersion, a.title AS AdhocTitle,
                   e.held_at AS HeldAt, ea.presence AS Presence
            FROM evidence_attendance ea
            JOIN task_evidence e ON e.id = ea.evidence_id
            JOIN tasks t ON t.id = e.task_id
            LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE ea.member_id = @memberId AND e.held_at >= @from AND e.held_at < @to AND t.state <> 'cancelled'
              AND e.id = (SELECT MAX(e2.id) FROM task_evidence e2 WHERE e2.task_id = t.id)
            ORDER BY e.held_at DESC, t.id DESC
            """, new { memberId, from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct));
        return rows.Select(r => new RecordMeeting(r.TaskId, r.TemplateCode, r.TemplateVersion, r.AdhocTitle, Utc(r.HeldAt), r.Presence))
            .ToList();
    }

    /// <summary>
    /// Every ledger entry of the member booked in [<paramref name="from"/>, <paramref name="to"/>) — the same entries the
    /// stars sum (AssessmentStore.LoadMemberPointsAsync) — oldest first.
    /// </summary>
    public async Task<IReadOnlyList<RecordPoints>> PointsAsync(long memberId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<PointsRow>(new CommandDefinition("""
            SELECT l.id AS Id, l.created_at AS At, l.points AS Points, l.source AS Source, l.reason AS Reason, l.task_id AS TaskId,
                   t.template_code AS TemplateCode, t.template_version AS TemplateVersion, a.title AS AdhocTitle
            FROM points_ledger l
            LEFT JOIN tasks t ON t.id = l.task_id
            LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
            WHERE l.subject_type = 'member' AND l.subject_id = @memberId AND l.created_at >= @from AND l.created_at < @to
            ORDER BY l.created_at, l.id
            """, new { memberId, from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct));
        return rows.Select(r => new RecordPoints(r.Id, Utc(r.At), r.Points, r.Source, r.Reason, r.TaskId, r.TemplateCode, r.TemplateVersion,
            r.AdhocTitle)).ToList();
    }

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));
}
