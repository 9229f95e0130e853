using WxQms.Domain.Services.Dues;

namespace WxQms.Jobs.Workers;

/// <summary><c>dues-arrears</c>: at each month's end, reminds members who owe, asks for talks after three months and opens the committee's case after six.</summary>
public sealed class DuesArrearsWorker(DuesArrearsScan scan) : IWorker
{
    public Task RunAsync(DateTimeOffset now, CancellationToken ct) => scan.ScanAsync(now, ct);
}
