using WxQms.Domain.Services;

namespace WxQms.Jobs.Workers;

/// <summary><c>plan</c>: keeps this year's plan (and, from December, next year's) complete.</summary>
public sealed class PlanWorker(PlanService plans) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => plans.CompleteCurrentPlansAsync(now, ct);
}
