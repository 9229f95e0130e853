using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace WxQms.Domain.Storage;

/// <summary>One line of the trail (痕迹): who did what to which entity, and when.</summary>
public sealed record AuditEntry(
    DateTimeOffset OccurredAt,
    string Actor,
    string Action,
    string EntityType,
    long? EntityId,
    long? OrgId = null,
    long? ActorMemberId = null,
    object? Data = null);

/// <summary>Append-only: there is no update or delete here, and the database refuses both.</summary>
public sealed class AuditLog
{
    private const string InsertSql = """
        INSERT INTO audit_log (occurred_at, actor, actor_member_id, action, entity_type, entity_id, org_id, data)
        VALUES (@OccurredAt, @Actor, @ActorMemberId, @Action, @EntityType, @EntityId, @OrgId, @Data)
        """;

    /// <summary>Writes inside the caller's transaction, so the trail and the change commit together.</summary>
    public static Task AppendAsync(DbConnection conn, DbTransaction? tx, AuditEntry e, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(InsertSql, Args(e), tx, cancellationToken: ct));

    /// <summary>Several entries, inside the caller's transaction.</summary>
    public static Task AppendAsync(DbConnection conn, DbTransaction? tx, IEnumerable<AuditEntry> entries, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition(InsertSql, entries.Select(Args), tx, cancellationToken: ct));

    private static object Args(AuditEntry e) => new
    {
        OccurredAt = e.OccurredAt.UtcDateTime,
        e.Actor,
        e.ActorMemberId,
        e.Action,
        e.EntityType,
        e.EntityId,
        e.OrgId,
        Data = e.Data is null ? null : JsonSerializer.Serialize(e.Data, JsonDefaults.Storage),
    };
}
