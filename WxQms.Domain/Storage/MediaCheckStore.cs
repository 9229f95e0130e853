using Dapper;
using MySqlConnector;

namespace WxQms.Domain.Storage;

public sealed record MediaCheckVerdict(string TraceId, string Suggest, string? Label);

public sealed class MediaCheckStore(MySqlDataSource db)
{
    /// <summary>Keeps the first verdict for a trace_id; a repeated push changes nothing.</summary>
    public async Task RecordAsync(string appId, string? openId, MediaCheckVerdict verdict, DateTimeOffset at, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO media_checks (trace_id, app_id, openid, suggest, label, checked_at)
            VALUES (@TraceId, @appId, @openId, @Suggest, @Label, @at)
            ON DUPLICATE KEY UPDATE trace_id = trace_id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            verdict.TraceId, appId, openId, verdict.Suggest, verdict.Label, at = at.UtcDateTime,
        }, cancellationToken: ct));
    }

    public async Task<MediaCheckVerdict?> GetAsync(string traceId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<MediaCheckVerdict>(new CommandDefinition(
            "SELECT trace_id AS TraceId, suggest AS Suggest, label AS Label FROM media_checks WHERE trace_id = @traceId",
            new { traceId }, cancellationToken: ct));
    }
}
