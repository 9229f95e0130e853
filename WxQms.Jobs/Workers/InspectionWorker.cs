using WxQms.Domain.Services.Inspections;

namespace WxQms.Jobs.Workers;

/// <summary><c>inspections</c>: in a quarter's last two weeks, tells each inspector of a visit or audit not yet made.</summary>
public sealed class InspectionWorker(InspectionService service) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => service.RemindAsync(now, ct);
}
