using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Operations;

/// <summary>The trail of one month (Asia/Shanghai), for the office to export and keep: old months stay readable for years.</summary>
public sealed class AuditExport(AuditArchiveStore store)
{
    public async Task<IReadOnlyList<AuditRow>> MonthAsync(IReadOnlyList<Grant> grants, Period month, CancellationToken ct)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "只有街道党建办可以导出操作记录");
        return await store.BetweenAsync(month.StartsAt, month.EndsAt, ct);
    }
}
