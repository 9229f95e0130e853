using Microsoft.Extensions.Logging;
using WxQms.Domain.Caching;

namespace WxQms.Domain.Services.Assessment;

/// <summary>
/// The monthly close (issue #6): from 01:00 on the 1st (Asia/Shanghai) the previous month is closed into
/// an immutable snapshot. Runs every few minutes and closes only what is not closed yet, so a worker that
/// was down at 01:00 catches up, and several workers close a month exactly once (the snapshot's key).
/// After a close the cached rankings are retired.
/// </summary>
public sealed class MonthlyClose(AssessmentService assessment, RankingCache cache, ILogger<MonthlyClose> log)
{
    public async Task CloseDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (AssessmentService.MonthToClose(now) is { } month && await assessment.CloseMonthAsync(month, ct))
        {
            await cache.InvalidateAsync();
            log.LogInformation("Month {Month} closed; cached rankings retired", month.Key);
        }
    }
}
