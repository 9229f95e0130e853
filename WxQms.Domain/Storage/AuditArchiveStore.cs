using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

/// <summary>One entry of the trail as exported, with its org's name.</summary>
public sealed record AuditRow(long Id, DateTime OccurredAt, string Actor, string Action, string EntityType, long? EntityId,
    string? OrgName, string? Data);

/// <summary>Reads the audit trail a month at a time (the table is partitioned by month: such a read touches one or two).</summary>
public sealed class AuditArchiveStore(MySqlDataSource db)
{
    public async Task<IReadOnlyList<AuditRow>> BetweenAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AuditRow>(new CommandDefinition("""
            SELECT a.id AS Id, a.occurred_at AS OccurredAt, a.actor AS Actor, a.action AS Action, a.entity_type AS EntityType,
                   a.entity_id AS EntityId, o.name AS OrgName, a.data AS Data
            FROM audit_log a LEFT JOIN orgs o ON o.id = a.org_id
            WHERE a.occurred_at >= @from AND a.occurred_at < @to
            ORDER BY a.occurred_at, a.id
            """, new { from = from.UtcDateTime, to = to.UtcDateTime }, cancellationToken: ct))).ToList();
    }
}
