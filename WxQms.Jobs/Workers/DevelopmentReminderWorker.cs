using WxQms.Domain.Services.Development;

namespace WxQms.Jobs.Workers;

/// <summary><c>development-reminders</c>: queues the member-development timetable's reminders and the warnings of passed deadlines.</summary>
public sealed class DevelopmentReminderWorker(DevelopmentReminderScan scan) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => scan.ScanAsync(now, ct);
}
