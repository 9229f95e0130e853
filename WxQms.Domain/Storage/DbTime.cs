namespace WxQms.Domain.Storage;

/// <summary>
/// DATETIME(6) columns hold UTC (DESIGN: timestamps in UTC; the connection string says DateTimeKind=Utc).
/// Dapper hands them over as DateTime; this makes them the instants they are.
/// </summary>
public static class DbTime
{
    public static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
