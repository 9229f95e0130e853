using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>Reads ad-hoc task definitions (the rows of adhoc_tasks).</summary>
public sealed class AdhocTaskStore(MySqlDataSource db)
{
    internal const string Columns = """
        id AS Id, title AS Title, description AS Description, opens_at AS OpensAt, due_at AS DueAt, period_key AS PeriodKey,
        points AS Points, late_deduction AS LateDeduction, overdue_deduction AS OverdueDeduction, min_photos AS MinPhotos,
        attendance_required AS AttendanceRequired, minutes_required AS MinutesRequired, place_required AS PlaceRequired,
        topic_required AS TopicRequired, record_label AS RecordLabel, scope_org_id AS ScopeOrgId, target_count AS TargetCount,
        issued_by AS IssuedBy, created_at AS CreatedAt, cancelled_at AS CancelledAt, cancel_reason AS CancelReason
        """;

    internal sealed record Row(long Id, string Title, string? Description, DateTime OpensAt, DateTime DueAt, string PeriodKey,
        decimal Points, decimal LateDeduction, decimal OverdueDeduction, int MinPhotos, bool AttendanceRequired, bool MinutesRequired,
        bool PlaceRequired, bool TopicRequired, string RecordLabel, long ScopeOrgId, int TargetCount, string IssuedBy,
        DateTime CreatedAt, DateTime? CancelledAt, string? CancelReason)
    {
        public AdhocTask ToModel() => new(Id, Title, Description, Utc(OpensAt), Utc(DueAt), PeriodKey, Points, LateDeduction,
            OverdueDeduction, new EvidenceRule(MinPhotos, AttendanceRequired, Quorum.None, MinutesRequired, PlaceRequired, TopicRequired,
                RecordLabel), ScopeOrgId, TargetCount, IssuedBy, Utc(CreatedAt), CancelledAt is { } c ? Utc(c) : null, CancelReason);
    }

    public async Task<AdhocTask?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM adhoc_tasks WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToModel();
    }
}
