using WxQms.Domain.Services.Operations;

namespace WxQms.Jobs.Workers;

/// <summary><c>retention</c>: removes working records past their time (<c>Retention:*</c>), a few hundred rows at a time.</summary>
public sealed class RetentionWorker(RetentionService retention) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => retention.RunAsync(now, ct);
}
