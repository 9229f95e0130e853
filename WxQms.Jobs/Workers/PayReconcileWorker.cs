using WxQms.Domain.Services.Pay;

namespace WxQms.Jobs.Workers;

/// <summary><c>pay-reconcile</c>: queries orders whose notification never came, closes those not paid in time, follows refunds.</summary>
public sealed class PayReconcileWorker(PayReconciler reconciler) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => reconciler.RunAsync(ct);
}
