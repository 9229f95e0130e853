using WxQms.Domain.Services.Wishes;

namespace WxQms.Jobs.Workers;

/// <summary><c>wish-confirm</c>: lights the fulfilled wishes whose wisher said nothing in time.</summary>
public sealed class WishConfirmWorker(WishAutoConfirmation confirmation) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => confirmation.ConfirmDueAsync(now, ct);
}
