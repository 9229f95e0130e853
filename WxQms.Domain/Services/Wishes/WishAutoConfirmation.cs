using Microsoft.Extensions.Logging;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// Lights the fulfilled wishes whose wisher said nothing for <see cref="WishOptions.AutoConfirmAfter"/>. Each wish
/// is one conditional transition (its row version), so any number of workers may run this side by side and a
/// wish is lit, and its points booked, once.
/// </summary>
public sealed class WishAutoConfirmation(WishTransitions wishes, ILogger<WishAutoConfirmation> log)
{
    public const int BatchSize = 100;

    public async Task ConfirmDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var total = 0;
        while (await wishes.AutoConfirmAsync(now, BatchSize, ct) is var lit and > 0)
        {
            total += lit;
            if (lit < BatchSize)
                break;
        }
        if (total > 0)
            log.LogInformation("Auto-confirmed {Count} fulfilled wishes", total);
    }
}
