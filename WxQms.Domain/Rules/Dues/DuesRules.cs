using System.Globalization;
using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Dues;

/// <summary>What a member's dues base is (DUTIES.md §A.3): in work, retired, or one of the fixed small amounts.</summary>
public enum DuesCategory
{
    /// <summary>在职: the monthly salary after tax.</summary>
    Employed,
    /// <summary>离退休: the monthly pension.</summary>
    Retired,
    /// <summary>学生: a fixed 0.20 yuan.</summary>
    Student,
    /// <summary>下岗失业: a fixed 0.20 yuan.</summary>
    Unemployed,
    /// <summary>生活困难（低保、救济）: a fixed 0.20 yuan.</summary>
    Hardship,
    /// <summary>农民: the monthly amount the province sets, 0.20 to 1 yuan, recorded as the base.</summary>
    Farmer,
}

/// <summary>A monthly month's dues state: paid, partly paid, waived with an approval, or owed.</summary>
public enum DuesState
{
    Owed,
    PartlyPaid,
    Paid,
    Waived,
}

/// <summary>One bracket: bases above <see cref="AboveFen"/> up to <see cref="UpToFen"/> (inclusive; null: no ceiling) pay <see cref="PerMille"/> ‰.</summary>
public sealed record DuesBracket(int AboveFen, int? UpToFen, int PerMille, string Label);

/// <summary>How a member's monthly amount was worked out: the amount in fen and the sentence she reads.</summary>
public sealed record DuesAmount(int MonthlyFen, int StandardFen, DuesBracket? Bracket, string Explanation);

/// <summary>A member's base for a year as the branch recorded it (January), with a special lower amount if approved.</summary>
public sealed record DuesBasis(DuesCategory Category, int BaseFen, int? SpecialFen = null, string? SpecialReason = null);

/// <summary>
/// The dues brackets and the monthly amount (中组部《关于中国共产党党费收缴、使用和管理的规定》, DUTIES.md §A.3), in fen
/// integers: amount = base × rate, the rate in per mille, rounded half up to the fen. Pure.
/// </summary>
public static class DuesRules
{
    /// <summary>Students, the unemployed and members in hardship pay 0.20 yuan a month.</summary>
    public const int FixedSmallFen = 20;

    /// <summary>The largest base we accept (one million yuan a month): beyond it a typing error is more likely than a salary.</summary>
    public const int MaxBaseFen = 100_000_000;

    public static readonly IReadOnlyList<DuesBracket> Employed =
    [
        new(0, 300_000, 5, "3000元（含）以下"),
        new(300_000, 500_000, 10, "3000元以上至5000元（含）"),
        new(500_000, 1_000_000, 15, "5000元以上至10000元（含）"),
        new(1_000_000, null, 20, "10000元以上"),
    ];

    public static readonly IReadOnlyList<DuesBracket> Retired =
    [
        new(0, 500_000, 5, "5000元（含）以下"),
        new(500_000, null, 10, "5000元以上"),
    ];

    /// <summary>Farmers pay what the province sets, from 0.20 to 1 yuan a month (recorded as their base).</summary>
    public const int FarmerMinFen = 20;

    public const int FarmerMaxFen = 100;

    /// <summary>A single voluntary payment above the dues of this much or more (1,000 yuan) is handed up in full to the centre.</summary>
    public const int ForwardInFullFen = 100_000;

    /// <summary>The bracket a base falls in (a base exactly on an edge belongs to the lower bracket).</summary>
    public static DuesBracket BracketOf(DuesCategory category, int baseFen)
    {
        var brackets = category == DuesCategory.Retired ? Retired : Employed;
        return brackets.First(b => b.UpToFen is not { } top || baseFen <= top);
    }

    /// <summary>The standard monthly amount in fen: base × ‰ / 1000, half up; the fixed amount for the fixed categories.</summary>
    public static int StandardFen(DuesCategory category, int baseFen)
    {
        if (IsFixed(category))
            return FixedSmallFen;
        if (category == DuesCategory.Farmer)
            return Math.Clamp(baseFen, FarmerMinFen, FarmerMaxFen);
        var perMille = BracketOf(category, baseFen).PerMille;
        return (int)(((long)baseFen * perMille + 500) / 1000);
    }

    public static bool IsFixed(DuesCategory category) => category is DuesCategory.Student or DuesCategory.Unemployed or DuesCategory.Hardship;

    /// <summary>What the basis costs a month and how that was worked out, in the words the member reads.</summary>
    public static DuesAmount Amount(DuesBasis basis)
    {
        var standard = StandardFen(basis.Category, basis.BaseFen);
        string how;
        DuesBracket? bracket = null;
        if (IsFixed(basis.Category))
            how = $"{CategoryName(basis.Category)}党员每月交纳{Yuan(FixedSmallFen)}元";
        else if (basis.Category == DuesCategory.Farmer)
            how = $"农民党员按省级党委规定（每月{Yuan(FarmerMinFen)}元至{Yuan(FarmerMaxFen)}元）每月交纳{Yuan(standard)}元";
        else
        {
            bracket = BracketOf(basis.Category, basis.BaseFen);
            var what = basis.Category == DuesCategory.Retired ? "离退休党员，月养老金" : "在职党员，月工资收入（税后）";
            how = $"{what}{Yuan(basis.BaseFen)}元，属{bracket.Label}档，按{Rate(bracket.PerMille)}交纳，每月{Yuan(standard)}元";
        }
        if (basis.SpecialFen is { } special)
            return new DuesAmount(special, standard, bracket,
                $"{how}；经支部批准（{basis.SpecialReason}），每月少交为{Yuan(special)}元");
        return new DuesAmount(standard, standard, bracket, how);
    }

    /// <summary>Why a basis cannot be recorded, or null: a base within range; a special amount below the standard with a reason.</summary>
    public static string? Refusal(DuesBasis basis)
    {
        if (!Enum.IsDefined(basis.Category))
            return "请选择党员类别";
        if (basis.BaseFen < 0 || basis.BaseFen > MaxBaseFen)
            return "交纳基数应在0至100万元之间";
        if (basis.Category == DuesCategory.Farmer && basis.BaseFen is < FarmerMinFen or > FarmerMaxFen)
            return $"农民党员每月交纳{Yuan(FarmerMinFen)}元至{Yuan(FarmerMaxFen)}元，请填写本省规定的金额";
        if (!IsFixed(basis.Category) && basis.BaseFen == 0)
            return "请填写月收入（税后）或养老金";
        if (basis.SpecialFen is not { } special)
            return basis.SpecialReason is { Length: > 0 } ? "填写了少交原因，请同时填写少交后的金额" : null;
        if (special < 0 || special >= StandardFen(basis.Category, basis.BaseFen))
            return "少交后的金额应低于按标准计算的金额";
        if (string.IsNullOrWhiteSpace(basis.SpecialReason))
            return "少交党费须填写支部批准的原因";
        return basis.SpecialReason.Length > 200 ? "少交原因不超过200字" : null;
    }

    /// <summary>
    /// Whether a member owes dues for <paramref name="month"/>: full members always; probationary members from the month
    /// the member meeting admitted them (admitted_on; without it, from the month they joined).
    /// </summary>
    public static bool Owes(MemberStatus status, DateOnly? admittedOn, DateOnly? joinedOn, DuesMonth month) => status switch
    {
        MemberStatus.Full => true,
        MemberStatus.Probationary => (admittedOn ?? joinedOn) is not { } from || DuesMonth.Of(from) <= month,
        _ => false,
    };

    public static string CategoryName(DuesCategory c) => c switch
    {
        DuesCategory.Employed => "在职",
        DuesCategory.Retired => "离退休",
        DuesCategory.Student => "学生",
        DuesCategory.Unemployed => "下岗失业",
        DuesCategory.Farmer => "农民",
        _ => "生活困难",
    };

    /// <summary>Fen as yuan with two decimals, no floating point: 4512 → "45.12".</summary>
    public static string Yuan(long fen) =>
        (fen < 0 ? "-" : "") + (Math.Abs(fen) / 100).ToString("#,0", CultureInfo.InvariantCulture) + "." + (Math.Abs(fen) % 100).ToString("00", CultureInfo.InvariantCulture);

    private static string Rate(int perMille) => perMille % 10 == 0 ? $"{perMille / 10}%" : $"{perMille / 10}.{perMille % 10}%";
}
