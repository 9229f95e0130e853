using Microsoft.Extensions.Logging;
using WxQms.Domain.Hosting;

namespace WxQms.Domain.Services.Assessment;

/// <summary>
/// The monthly close (issue #6): from 01:00 on the 1st (Asia/Shanghai) the previous month is closed into
/// an immutable snapshot. Runs every few minutes and closes only what is not closed yet, so a worker that
/// was down at 01:00 catches up, and several workers close a month exactly once (the snapshot's key).
/// After a close the cached rankings are retired.
/// </summary>
public sealed class MonthlyCloseJob(AssessmentService assessment, RankingCache cache, ILogger<MonthlyCloseJob> log) : IPeriodicJob
{
    public string Name => "monthly-close";

    public TimeSpan Interval => TimeSpan.FromMinutes(5);

    public async Task RunAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (AssessmentService.MonthToClose(now) is { } month && await assessment.CloseMonthAsync(month, ct))
        {
            await cache.InvalidateAsync();
            log.LogInformation("Month {Month} closed; cached rankings retired", month.Key);
        }
    }
}
