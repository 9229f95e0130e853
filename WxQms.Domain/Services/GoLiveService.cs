using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

/// <summary>
/// Go-live: the day an org (the subdistrict, a community, any org) starts using the system. An org without a date of
/// its own follows its nearest ancestor's. Nothing due before it is planned (PlanGenerator), so nothing before it is
/// reminded, warned, marked overdue, listed or scored. Moving it later cancels the unstarted tasks due before the new
/// date (their trail says why, overdue deductions are netted); moving it earlier lets the next plan run add the
/// periods in between. Unlike <c>established_on</c> (when the org was set up, a historical fact), go-live is a decision
/// of the office: office staff only.
/// </summary>
public sealed class GoLiveService(GoLiveStore store, TaskCache tasks, RankingCache rankings, TimeProvider clock)
{
    /// <summary>The earliest go-live accepted: the catalogue's duties start long after it.</summary>
    public static readonly DateOnly Earliest = new(2000, 1, 1);

    /// <summary>How far ahead a go-live may be set.</summary>
    public const int MaxDaysAhead = 366;

    public Task<IReadOnlyList<GoLiveRow>> ListAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        Authorize(grants);
        return store.ListAsync(ct);
    }

    /// <summary>Why <paramref name="liveOn"/> cannot be a go-live day (Chinese), or null when it can.</summary>
    public string? Check(DateOnly? liveOn)
    {
        var today = Periods.LocalDate(clock.GetUtcNow());
        return liveOn switch
        {
            null => "请填写上线日期",
            { } d when d < Earliest => $"上线日期不能早于{Earliest:yyyy年M月d日}",
            { } d when d > today.AddDays(MaxDaysAhead) => $"上线日期不能晚于{today.AddDays(MaxDaysAhead):yyyy年M月d日}",
            _ => null,
        };
    }

    /// <summary>Sets the org's go-live; throws <see cref="ForbiddenException"/>, <see cref="RuleViolationException"/>
    /// (a date out of range) or <see cref="NotFoundException"/>.</summary>
    public async Task<GoLiveChange> SetAsync(IReadOnlyList<Grant> grants, string actor, long? actorMemberId, long orgId,
        DateOnly? liveOn, CancellationToken ct)
    {
        Authorize(grants);
        if (Check(liveOn) is { } problem)
            throw new RuleViolationException("request.invalid", problem);
        var change = await store.SetAsync(orgId, liveOn!.Value, actor, actorMemberId, clock.GetUtcNow(), ct)
            ?? throw new NotFoundException("没有这个组织", "org.not_found");
        await tasks.InvalidateAsync();
        await rankings.InvalidateAsync();
        return change;
    }

    /// <summary>
    /// Clears the org's own go-live: it follows its nearest ancestor's again (none: nothing limits it), and the unstarted
    /// tasks due before that date are cancelled as a later date cancels them. Throws <see cref="ForbiddenException"/>,
    /// <see cref="ConflictException"/> (no date of its own) or <see cref="NotFoundException"/>.
    /// </summary>
    public async Task<GoLiveChange> ClearAsync(IReadOnlyList<Grant> grants, string actor, long? actorMemberId, long orgId, CancellationToken ct)
    {
        Authorize(grants);
        var change = await store.SetAsync(orgId, null, actor, actorMemberId, clock.GetUtcNow(), ct)
            ?? throw new NotFoundException("没有这个组织", "org.not_found");
        await tasks.InvalidateAsync();
        await rankings.InvalidateAsync();
        return change;
    }

    /// <summary>Office staff only; anyone else gets <see cref="ForbiddenException"/>.</summary>
    public static void Authorize(IReadOnlyList<Grant> grants)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "只有街道党建办可以设置上线日期");
    }
}
