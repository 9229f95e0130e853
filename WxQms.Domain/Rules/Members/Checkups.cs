using System.Globalization;
using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Members;

/// <summary>One question of the 党性体检 questionnaire: its section (理想信念 …), its text and its weight.</summary>
public sealed record CheckupItem(long Id, string Section, string Text, int Weight);

/// <summary>A check-up's result: the weighted score (0–100), its grade and the items to improve, heaviest first.</summary>
public sealed record CheckupResult(decimal Score, CheckupGrade Grade, IReadOnlyList<CheckupItem> ToImprove);

/// <summary>The result grade of a 党性体检.</summary>
public enum CheckupGrade
{
    /// <summary>好</summary>
    Good,
    /// <summary>较好</summary>
    Fair,
    /// <summary>一般</summary>
    Average,
    /// <summary>较差</summary>
    Poor,
}

/// <summary>
/// The yearly 党性体检 (party-spirit check-up), pure. The office defines the questionnaire as data: items in sections,
/// each with a weight of 1–10. The member rates herself and the branch rates her on every item from 1 (差) to 5 (好).
/// The score is the weighted mean of the two ratings (self 30 %, branch 70 %) on a 0–100 scale; its grade is 好 from 90,
/// 较好 from 75, 一般 from 60 and 较差 below; an item either rating puts at 3 or lower is one to improve.
/// </summary>
public static class Checkups
{
    /// <summary>The sections the office starts from (issue #18); a questionnaire may name others.</summary>
    public static readonly IReadOnlyList<string> DefaultSections = ["理想信念", "政治纪律", "组织观念", "作风纪律", "发挥作用"];

    public const int MinRating = 1;
    public const int MaxRating = 5;
    public const int MinWeight = 1;
    public const int MaxWeight = 10;
    public const int TextLength = 200;
    public const int SectionLength = 32;

    /// <summary>A rating at or below this marks the item as one to improve.</summary>
    public const int ImproveAtOrBelow = 3;

    public const decimal SelfShare = 0.3m;

    public static readonly IReadOnlyList<(decimal From, CheckupGrade Grade)> GradeFloors =
        [(90m, CheckupGrade.Good), (75m, CheckupGrade.Fair), (60m, CheckupGrade.Average)];

    /// <summary>Null when an item may be added as given, else why not (in Chinese).</summary>
    public static string? CheckItem(string? section, string? text, int weight)
    {
        if (string.IsNullOrWhiteSpace(section) || section.Trim().Length > SectionLength)
            return $"请填写分类（不超过{SectionLength}字）";
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length > TextLength)
            return $"请填写题目（不超过{TextLength}字）";
        if (weight is < MinWeight or > MaxWeight)
            return $"权重为{MinWeight}到{MaxWeight}的整数";
        return null;
    }

    /// <summary>Null when the ratings answer every item once with 1–5 and name no other item, else why not.</summary>
    public static string? CheckRatings(IReadOnlyList<CheckupItem> items, IReadOnlyDictionary<long, int> ratings)
    {
        if (items.Count == 0)
            return "本年度的体检问卷还没有题目";
        if (ratings.Keys.FirstOrDefault(id => items.All(i => i.Id != id)) is var unknown && unknown != 0)
            return string.Create(CultureInfo.InvariantCulture, $"题目 {unknown} 不在本年度问卷中");
        if (items.FirstOrDefault(i => !ratings.ContainsKey(i.Id)) is { } missing)
            return $"请为「{missing.Text}」打分";
        if (ratings.Values.Any(r => r is < MinRating or > MaxRating))
            return $"每题打{MinRating}到{MaxRating}分";
        return null;
    }

    /// <summary>The weighted mean of <paramref name="ratings"/> on 0–100 (1 is 0, 5 is 100), two decimals.</summary>
    public static decimal Score(IReadOnlyList<CheckupItem> items, IReadOnlyDictionary<long, int> ratings)
    {
        var weight = items.Sum(i => i.Weight);
        if (weight == 0)
            return 0;
        var sum = items.Sum(i => i.Weight * (decimal)(ratings[i.Id] - MinRating) / (MaxRating - MinRating));
        return Math.Round(sum * 100 / weight, 2, MidpointRounding.AwayFromZero);
    }

    public static CheckupGrade GradeOf(decimal score) =>
        GradeFloors.FirstOrDefault(f => score >= f.From) is { From: > 0 } floor ? floor.Grade : CheckupGrade.Poor;

    /// <summary>The result once the member and the branch have both rated every item.</summary>
    public static CheckupResult Result(IReadOnlyList<CheckupItem> items, IReadOnlyDictionary<long, int> self,
        IReadOnlyDictionary<long, int> branch)
    {
        var score = Math.Round(SelfShare * Score(items, self) + (1 - SelfShare) * Score(items, branch), 2, MidpointRounding.AwayFromZero);
        var improve = items.Where(i => Math.Min(self[i.Id], branch[i.Id]) <= ImproveAtOrBelow)
            .OrderByDescending(i => i.Weight).ThenBy(i => i.Id).ToList();
        return new CheckupResult(score, GradeOf(score), improve);
    }

    public static string Label(CheckupGrade grade) => grade switch
    {
        CheckupGrade.Good => "好",
        CheckupGrade.Fair => "较好",
        CheckupGrade.Average => "一般",
        _ => "较差",
    };

    /// <summary>
    /// Who may read a member's check-up: the member herself and the secretary of her branch (of the branch above her
    /// party group). Nobody else — not office staff, not a committee, not the other members.
    /// </summary>
    public static bool CanRead(long? viewerMemberId, IEnumerable<Grant> grants, long memberId, string memberOrgPath) =>
        viewerMemberId == memberId || IsSecretaryOf(grants, memberOrgPath);

    /// <summary>The branch's assessment is given by the member's branch secretary.</summary>
    public static bool IsSecretaryOf(IEnumerable<Grant> grants, string memberOrgPath) =>
        OrgPath.IsValid(memberOrgPath) && grants.Any(g => g.Role == Roles.Secretary && g.OrgKind == OrgKind.Branch
                                                          && OrgPath.IsWithin(memberOrgPath, g.OrgPath));

    /// <summary>
    /// The topics a branch's 组织生活会 takes from its members' check-ups: the items most often marked to improve, at most
    /// <paramref name="limit"/>, most often first (then heaviest).
    /// </summary>
    public static IReadOnlyList<(CheckupItem Item, int Members)> Topics(IEnumerable<IReadOnlyList<CheckupItem>> toImprove, int limit) =>
        toImprove.SelectMany(l => l.DistinctBy(i => i.Id)).GroupBy(i => i.Id)
            .Select(g => (Item: g.First(), Members: g.Count()))
            .OrderByDescending(t => t.Members).ThenByDescending(t => t.Item.Weight).ThenBy(t => t.Item.Id)
            .Take(limit).ToList();
}
