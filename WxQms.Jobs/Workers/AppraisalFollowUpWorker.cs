using WxQms.Domain.Services.Members;

namespace WxQms.Jobs.Workers;

/// <summary><c>appraisal-followups</c>: reminds secretaries of 民主评议 follow-ups due within a week or overdue.</summary>
public sealed class AppraisalFollowUpWorker(AppraisalFollowUpScan scan) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => scan.ScanAsync(now, ct);
}
