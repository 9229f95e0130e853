using System.Globalization;

namespace WxQms.Domain.Rules.ManagementReview;

/// <summary>What a year's target (年度目标) asks of an org.</summary>
public enum TargetKind
{
    /// <summary>Every task of one duty due in the period completed (e.g. all monthly 支委会 held).</summary>
    DutyAllDone,
    /// <summary>At least N % of the tasks due in the period completed on time.</summary>
    OnTimeRate,
    /// <summary>No member owes dues at the period's end (a month with a recorded reason does not count).</summary>
    NoDuesArrears,
    /// <summary>The period's result (earned ÷ possible, as the ranking shows it) at least N on a scale of 100.</summary>
    MinScore,
}

/// <summary>The level of the orgs a target is set for when it names no single org.</summary>
public enum TargetLevel
{
    Community,
    Branch,
}

/// <summary>A target as set: for one org (<see cref="OrgId"/>) or every org of <see cref="Level"/>.</summary>
public sealed record ReviewTarget(long Id, int Year, long? OrgId, TargetLevel? Level, TargetKind Kind, string? DutyCode, decimal? Threshold);

/// <summary>What an org did in the period, for its targets: its subtree's tasks (cancelled ones left out).</summary>
/// <param name="Ratio">The ranking's result (earned ÷ possible); null when nothing was due.</param>
/// <param name="Due">Tasks due in the period.</param>
/// <param name="OnTime">Of those, completed on time.</param>
/// <param name="Duties">Per duty code: tasks due and completed (on time or late).</param>
/// <param name="Arrears">Members owing dues at the period's end; null when the scope keeps no dues yet.</param>
public sealed record OrgFacts(long OrgId, TargetLevel Level, decimal? Ratio, int Due, int OnTime,
    IReadOnlyDictionary<string, (int Due, int Done)> Duties, int? Arrears);

public enum TargetOutcome
{
    Met,
    NotMet,
    /// <summary>Nothing to judge by: nothing due, or no dues kept.</summary>
    NoData,
}

/// <summary>One target judged for one org: the outcome and what the org did, in Chinese.</summary>
public sealed record TargetResult(ReviewTarget Target, TargetOutcome Outcome, string Actual);

/// <summary>
/// The year's targets of the management review (管理评审): which apply to an org, and whether the org met them in a
/// period. Pure: the facts come in.
/// </summary>
public static class ReviewTargets
{
    public const decimal MaxThreshold = 100m;

    /// <summary>Why a target cannot be set (in Chinese), or null.</summary>
    public static string? Check(TargetKind kind, string? dutyCode, decimal? threshold) => kind switch
    {
        TargetKind.DutyAllDone when string.IsNullOrWhiteSpace(dutyCode) => "请选择职责",
        TargetKind.OnTimeRate or TargetKind.MinScore when threshold is not (> 0 and <= MaxThreshold) => "目标值应大于0且不超过100",
        _ => null,
    };

    /// <summary>
    /// The targets of <paramref name="year"/> that apply to an org: its own, and its level's where it has none of the
    /// same kind and duty. In the order kind, duty.
    /// </summary>
    public static IReadOnlyList<ReviewTarget> For(IEnumerable<ReviewTarget> targets, int year, long orgId, TargetLevel level)
    {
        var ofYear = targets.Where(t => t.Year == year).ToList();
        var own = ofYear.Where(t => t.OrgId == orgId).ToList();
        var levels = ofYear.Where(t => t.OrgId is null && t.Level == level
            && !own.Any(o => o.Kind == t.Kind && (o.DutyCode ?? "") == (t.DutyCode ?? "")));
        return own.Concat(levels).OrderBy(t => t.Kind).ThenBy(t => t.DutyCode ?? "", StringComparer.Ordinal).ToList();
    }

    public static TargetResult Evaluate(ReviewTarget target, OrgFacts facts)
    {
        switch (target.Kind)
        {
            case TargetKind.DutyAllDone:
                if (target.DutyCode is null || !facts.Duties.TryGetValue(target.DutyCode, out var duty) || duty.Due == 0)
                    return new(target, TargetOutcome.NoData, "本期无到期任务");
                return new(target, duty.Done >= duty.Due ? TargetOutcome.Met : TargetOutcome.NotMet,
                    Invariant($"完成 {duty.Done}/{duty.Due}"));
            case TargetKind.OnTimeRate:
                if (facts.Due == 0)
                    return new(target, TargetOutcome.NoData, "本期无到期任务");
                var rate = 100m * facts.OnTime / facts.Due;
                return new(target, rate >= (target.Threshold ?? MaxThreshold) ? TargetOutcome.Met : TargetOutcome.NotMet,
                    Invariant($"按时完成 {facts.OnTime}/{facts.Due}（{rate:0.0}%）"));
            case TargetKind.NoDuesArrears:
                if (facts.Arrears is not { } owing)
                    return new(target, TargetOutcome.NoData, "暂无党费数据");
                return new(target, owing == 0 ? TargetOutcome.Met : TargetOutcome.NotMet,
                    owing == 0 ? "无欠缴" : Invariant($"{owing} 名党员欠缴"));
            default:
                if (facts.Ratio is not { } ratio)
                    return new(target, TargetOutcome.NoData, "本期无到期任务");
                var score = Math.Round(ratio * 100, 1, MidpointRounding.AwayFromZero);
                return new(target, score >= (target.Threshold ?? MaxThreshold) ? TargetOutcome.Met : TargetOutcome.NotMet,
                    Invariant($"{score:0.0} 分"));
        }
    }

    /// <summary>The target in words: "支委会全部按期召开", "按时完成率 ≥ 90%", "无党费欠缴", "考核得分 ≥ 85 分".</summary>
    public static string Describe(ReviewTarget target, Func<string, string> dutyName) => target.Kind switch
    {
        TargetKind.DutyAllDone => $"{dutyName(target.DutyCode ?? "")}全部完成",
        TargetKind.OnTimeRate => Invariant($"按时完成率 ≥ {target.Threshold:0.##}%"),
        TargetKind.NoDuesArrears => "无党费欠缴",
        _ => Invariant($"考核得分 ≥ {target.Threshold:0.##} 分"),
    };

    public static string LevelLabel(TargetLevel level) => level == TargetLevel.Community ? "全部社区" : "全部支部";

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
