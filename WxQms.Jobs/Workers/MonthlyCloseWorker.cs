using WxQms.Domain.Services.Assessment;

namespace WxQms.Jobs.Workers;

/// <summary><c>monthly-close</c>: closes the previous month from 01:00 on the 1st (Asia/Shanghai).</summary>
public sealed class MonthlyCloseWorker(MonthlyClose close) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => close.CloseDueAsync(now, ct);
}
