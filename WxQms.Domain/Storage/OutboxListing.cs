using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules;

namespace WxQms.Domain.Storage;

/// <summary>One outbox row as staff list it, with its recipient's and org's names and WeChat's delivery report.</summary>
public sealed record OutboxEntry(long Id, string SubjectType, long SubjectId, long? TaskId, string Kind, long? MemberId, string RecipientName,
    long OrgId, string OrgName, string Status, string? Channel, DateTime DueAt, DateTime? SentAt, int Attempts, string? LastError,
    string? Delivery);

/// <summary>The outbox of an org subtree for staff: rows by status and kind (or of one task), newest first, and the count of each status.</summary>
public sealed class OutboxListing(MySqlDataSource db)
{
    public async Task<(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<OutboxEntry> Rows)> ListAsync(string scopePath,
        ReminderStatus? status, ReminderKind? kind, long? taskId, int limit, int offset, CancellationToken ct)
    {
        var args = new
        {
            pattern = OrgPath.SubtreePattern(scopePath),
            status = status is { } s ? DbNames.Of(s) : null,
            kind = kind is { } k ? DbNames.Of(k) : null,
            TaskId = taskId,
            limit,
            offset,
        };
        const string filter = """
            WHERE o.path LIKE @pattern
              AND (@kind IS NULL OR r.kind = @kind)
              AND (@TaskId IS NULL OR r.task_id = @TaskId)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var counts = (await conn.QueryAsync<(string Status, int Count)>(new CommandDefinition(
            $"SELECT r.status, COUNT(*) FROM reminders r JOIN orgs o ON o.id = r.org_id {filter} GROUP BY r.status",
            args, cancellationToken: ct))).ToDictionary(c => c.Status, c => c.Count);
        var rows = await conn.QueryAsync<OutboxEntry>(new CommandDefinition($"""
            SELECT r.id AS Id, r.subject_type AS SubjectType, r.subject_id AS SubjectId, r.task_id AS TaskId, r.kind AS Kind,
                   r.member_id AS MemberId, COALESCE(m.name, u.nickname, '微信用户') AS RecipientName, r.org_id AS OrgId,
                   o.name AS OrgName, r.status AS Status, r.channel AS Channel, r.due_at AS DueAt, r.sent_at AS SentAt,
                   r.attempts AS Attempts, r.last_error AS LastError, w.delivery_status AS Delivery
            FROM reminders r
            JOIN orgs o ON o.id = r.org_id
            LEFT JOIN members m ON m.id = r.member_id
            LEFT JOIN wechat_users u ON u.id = r.wechat_user_id
            LEFT JOIN wechat_outbound w ON w.id = r.outbound_id
            {filter}
              AND (@status IS NULL OR r.status = @status)
            ORDER BY r.due_at DESC, r.id DESC
            LIMIT @limit OFFSET @offset
            """, args, cancellationToken: ct));
        return (counts, rows.ToList());
    }
}
