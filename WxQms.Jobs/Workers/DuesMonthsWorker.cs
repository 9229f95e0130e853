using WxQms.Domain.Services.Dues;

namespace WxQms.Jobs.Workers;

/// <summary><c>dues-months</c>: makes each member's dues row for the current month (idempotent).</summary>
public sealed class DuesMonthsWorker(DuesMonthMaker maker) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => maker.MakeAsync(now, ct);
}
