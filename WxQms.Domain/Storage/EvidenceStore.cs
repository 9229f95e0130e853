using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Services;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>One submission of evidence as stored (task_evidence), with how it was judged and reviewed.</summary>
public sealed record EvidenceRow(long Id, DateTime HeldAt, string? Place, string? Topic, string? Minutes, int Present, int Absent,
    int OnLeave, int PhotoCount, DateTime SubmittedAt, string SubmittedBy, bool Passed, string? Reasons, bool OnTime, decimal Points,
    string? ReviewDecision, decimal? ReviewAdjustment, string? ReviewReason, DateTime? ReviewedAt);

/// <summary>A new submission: what was held, who submitted it and how it was judged.</summary>
public sealed record NewEvidence(long TaskId, DateTimeOffset HeldAt, string? Place, string? Topic, string? Minutes, int Present, int Absent,
    int OnLeave, int PhotoCount, DateTimeOffset SubmittedAt, string SubmittedBy, long? SubmittedByMemberId, bool Passed, string? Reasons,
    bool OnTime, decimal Points);

/// <summary>A reviewer's decision on one submission.</summary>
public sealed record EvidenceReview(long EvidenceId, DateTimeOffset At, string By, long? ByMemberId, string Decision, decimal Adjustment,
    string? Reason);

/// <summary>
/// A task's evidence: its submissions (task_evidence) with their photos and attendance, the photos attached from the
/// chat (task_chat_photos), and the task's trail as the task page shows it. Changes run in the caller's transaction.
/// </summary>
public sealed class EvidenceStore(MySqlDataSource db)
{
    private sealed record PhotoRow(string Sha256, long Size, string ContentType, string RelativePath, DateTime? TakenAt)
    {
        public StoredPhoto ToPhoto() => new(Sha256, Size, ContentType, RelativePath, TakenAt is { } t ? Utc(t) : null);
    }

    private sealed record ChatPhotoRow(string Sha256, long Size, string ContentType, string RelativePath, DateTime? TakenAt,
        DateTime ReceivedAt, string? SentBy);

    /// <summary>The photos of a task's latest submission.</summary>
    public async Task<IReadOnlyList<StoredPhoto>> LatestPhotosAsync(long taskId, CancellationToken ct)
    {
        const string sql = """
            SELECT p.sha256 AS Sha256, p.size_bytes AS Size, p.content_type AS ContentType, p.storage_path AS RelativePath,
                   p.taken_at AS TakenAt
            FROM evidence_photos p
            WHERE p.evidence_id = (SELECT MAX(id) FROM task_evidence WHERE task_id = @taskId)
            ORDER BY p.id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PhotoRow>(new CommandDefinition(sql, new { taskId }, cancellationToken: ct)))
            .Select(p => p.ToPhoto()).ToList();
    }

    /// <summary>Photos attached to the task from the chat and not yet used by a submission, in the order received.</summary>
    public async Task<IReadOnlyList<ChatPhoto>> UnusedChatPhotosAsync(long taskId, CancellationToken ct)
    {
        const string sql = """
            SELECT c.sha256 AS Sha256, c.size_bytes AS Size, c.content_type AS ContentType, c.storage_path AS RelativePath,
                   c.taken_at AS TakenAt, c.received_at AS ReceivedAt, m.name AS SentBy
            FROM task_chat_photos c LEFT JOIN members m ON m.id = c.member_id
            WHERE c.task_id = @taskId AND c.used_by_evidence_id IS NULL
            ORDER BY c.id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ChatPhotoRow>(new CommandDefinition(sql, new { taskId }, cancellationToken: ct)))
            .Select(p => new ChatPhoto(new StoredPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath, p.TakenAt is { } t ? Utc(t) : null),
                Utc(p.ReceivedAt), p.SentBy)).ToList();
    }

    /// <summary>One photo of the task by its hash, from any submission or from the chat.</summary>
    public async Task<StoredPhoto?> PhotoAsync(long taskId, string sha256, CancellationToken ct)
    {
        const string sql = """
            SELECT p.sha256 AS Sha256, p.size_bytes AS Size, p.content_type AS ContentType, p.storage_path AS RelativePath,
                   p.taken_at AS TakenAt
            FROM evidence_photos p JOIN task_evidence e ON e.id = p.evidence_id
            WHERE e.task_id = @taskId AND p.sha256 = @sha256
            UNION ALL
            SELECT c.sha256, c.size_bytes, c.content_type, c.storage_path, c.taken_at
            FROM task_chat_photos c
            WHERE c.task_id = @taskId AND c.sha256 = @sha256
            LIMIT 1
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<PhotoRow>(new CommandDefinition(sql, new { taskId, sha256 }, cancellationToken: ct)))
            ?.ToPhoto();
    }

    /// <summary>Every submission of the task (newest first) and its audit trail (oldest first), with the actors' names.</summary>
    public async Task<(IReadOnlyList<EvidenceRow> Evidence, IReadOnlyList<(DateTime At, string Action, string Actor, string? Name, string? Data)> History)>
        RecordAsync(long taskId, CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, held_at AS HeldAt, place AS Place, topic AS Topic, minutes AS Minutes,
                   present AS Present, absent AS Absent, on_leave AS OnLeave, photo_count AS PhotoCount, submitted_at AS SubmittedAt,
                   submitted_by AS SubmittedBy, passed AS Passed, reasons AS Reasons, on_time AS OnTime, points AS Points,
                   review_decision AS ReviewDecision, review_adjustment AS ReviewAdjustment, review_reason AS ReviewReason,
                   reviewed_at AS ReviewedAt
            FROM task_evidence WHERE task_id = @taskId ORDER BY id DESC;

            SELECT a.occurred_at, a.action, a.actor, m.name, a.data
            FROM audit_log a LEFT JOIN members m ON m.id = a.actor_member_id
            WHERE a.entity_type = 'task' AND a.entity_id = @taskId
            ORDER BY a.id;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { taskId }, cancellationToken: ct));
        var evidence = (await grid.ReadAsync<EvidenceRow>()).ToList();
        var history = (await grid.ReadAsync<(DateTime, string, string, string?, string?)>()).ToList();
        return (evidence, history);
    }

    /// <summary>The task's latest submission and when it was reviewed, if it was.</summary>
    public async Task<(long Id, DateTime? ReviewedAt)?> LatestAsync(long taskId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await LatestAsync(conn, taskId, ct);
    }

    public static Task<(long Id, DateTime? ReviewedAt)?> LatestAsync(DbConnection conn, long taskId, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<(long Id, DateTime? ReviewedAt)?>(new CommandDefinition(
            "SELECT id, reviewed_at FROM task_evidence WHERE task_id = @taskId ORDER BY id DESC LIMIT 1",
            new { taskId }, cancellationToken: ct));

    /// <summary>Stores a submission with its photos and attendance; returns its id.</summary>
    public static async Task<long> AddAsync(DbConnection conn, DbTransaction tx, NewEvidence e, IReadOnlyList<StoredPhoto> photos,
        IReadOnlyList<(long MemberId, Presence Presence)> attendance, CancellationToken ct)
    {
        var evidenceId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO task_evidence (task_id, held_at, place, topic, minutes, present, absent, on_leave, photo_count,
                                       submitted_at, submitted_by, submitted_by_member_id, passed, reasons, on_time, points)
            VALUES (@TaskId, @heldAt, @Place, @Topic, @Minutes, @Present, @Absent, @OnLeave, @PhotoCount,
                    @submittedAt, @SubmittedBy, @SubmittedByMemberId, @Passed, @Reasons, @OnTime, @Points);
            SELECT LAST_INSERT_ID();
            """, new
        {
            e.TaskId, heldAt = e.HeldAt.UtcDateTime, e.Place, e.Topic, e.Minutes, e.Present, e.Absent, e.OnLeave, e.PhotoCount,
            submittedAt = e.SubmittedAt.UtcDateTime, e.SubmittedBy, e.SubmittedByMemberId, e.Passed, e.Reasons, e.OnTime, e.Points,
        }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT IGNORE INTO evidence_photos (evidence_id, sha256, size_bytes, content_type, storage_path, taken_at, created_at)
            VALUES (@evidenceId, @Sha256, @Size, @ContentType, @RelativePath, @takenAt, @now)
            """, photos.Select(p => new
        {
            evidenceId, p.Sha256, p.Size, p.ContentType, p.RelativePath, takenAt = p.TakenAt?.UtcDateTime, now = e.SubmittedAt.UtcDateTime,
        }), tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO evidence_attendance (evidence_id, member_id, presence) VALUES (@evidenceId, @MemberId, @Presence)",
            attendance.Select(a => new { evidenceId, a.MemberId, Presence = DbNames.Of(a.Presence) }), tx, cancellationToken: ct));
        return evidenceId;
    }

    /// <summary>
    /// Marks the task's chat photos as used by the submission that includes them: each must still be unused, or the
    /// submission is refused (a concurrent one took them) and rolls back.
    /// </summary>
    public static async Task ClaimChatPhotosAsync(DbConnection conn, DbTransaction tx, long taskId, IReadOnlyList<string> sha256s,
        long evidenceId, CancellationToken ct)
    {
        var distinct = sha256s.Distinct(StringComparer.Ordinal).ToArray();
        if (distinct.Length == 0)
            return;
        var claimed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE task_chat_photos SET used_by_evidence_id = @evidenceId
            WHERE task_id = @taskId AND sha256 IN @distinct AND used_by_evidence_id IS NULL
            """, new { taskId, distinct, evidenceId }, tx, cancellationToken: ct));
        if (claimed != distinct.Length)
            throw new ConflictException("evidence.unknown_chat_photo", "聊天照片已用于另一次提交，请刷新后重试");
    }

    public static Task ReviewAsync(DbConnection conn, DbTransaction tx, EvidenceReview r, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE task_evidence
            SET reviewed_at = @at, reviewed_by = @By, reviewed_by_member_id = @ByMemberId, review_decision = @Decision,
                review_adjustment = @Adjustment, review_reason = @Reason
            WHERE id = @EvidenceId
            """, new { r.EvidenceId, at = r.At.UtcDateTime, r.By, r.ByMemberId, r.Decision, r.Adjustment, r.Reason }, tx,
            cancellationToken: ct));
}
