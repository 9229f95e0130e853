namespace WxQms.Domain.Services.Members;

/// <summary>A member's dues as 我的 shows them: a short label (已缴至2026年11月 / 欠缴2个月) and whether she owes.</summary>
public sealed record DuesStatus(string Label, bool Owing);

/// <summary>
/// The dues hook of a member's record (issue #18 item 6; the dues themselves are issue #23). The default knows nothing
/// (the record shows 暂无党费记录); the dues area registers its own (DuesRecordStatus).
/// </summary>
public interface IDuesStatus
{
    Task<DuesStatus?> StatusAsync(long memberId, CancellationToken ct);

    /// <summary>The month her dues are paid up to (党费交到, on a transfer letter); null when the dues area knows no month of hers.</summary>
    Task<Model.DuesPaidThrough?> PaidThroughAsync(long memberId, CancellationToken ct) => Task.FromResult<Model.DuesPaidThrough?>(null);
}

public sealed class NoDuesStatus : IDuesStatus
{
    public Task<DuesStatus?> StatusAsync(long memberId, CancellationToken ct) => Task.FromResult<DuesStatus?>(null);
}
