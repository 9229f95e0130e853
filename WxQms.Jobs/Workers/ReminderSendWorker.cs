using WxQms.Domain.Services.Reminders;

namespace WxQms.Jobs.Workers;

/// <summary><c>reminder-send</c>: sends the due reminders and notices.</summary>
public sealed class ReminderSendWorker(ReminderSender sender) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => sender.SendDueAsync(now, ct);
}
