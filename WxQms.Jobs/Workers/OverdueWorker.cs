using WxQms.Domain.Services;

namespace WxQms.Jobs.Workers;

/// <summary><c>overdue</c>: marks the tasks past their due time overdue and books their deductions.</summary>
public sealed class OverdueWorker(OverdueMarker marking) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => marking.MarkDueAsync(now, ct);
}
