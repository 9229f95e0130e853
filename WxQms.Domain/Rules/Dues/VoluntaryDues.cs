namespace WxQms.Domain.Rules.Dues;

/// <summary>What a payment above the dues is: nothing extra, 自愿多交, or one handed up in full to the centre.</summary>
public enum VoluntaryKind
{
    None,
    /// <summary>自愿多交党费: kept and handed up with the branch's dues.</summary>
    Voluntary,
    /// <summary>A single voluntary payment of 1,000 yuan or more: handed up in full to the centre (全额上缴中央).</summary>
    ForwardInFull,
}

/// <summary>A payment split into the dues it settles and the voluntary part above them, with what the ledger calls it.</summary>
public sealed record VoluntaryPart(int DuesFen, int ExtraFen, VoluntaryKind Kind, string? Label);

/// <summary>
/// Paying more than the dues (DUTIES.md §A.3): voluntary payments are unlimited; a single voluntary payment of 1,000 yuan
/// or more is forwarded in full to the centre. Pure, in fen.
/// </summary>
public static class VoluntaryDues
{
    /// <summary>The most one payment's voluntary part may be (one million yuan): beyond it a typing error is more likely than a gift.</summary>
    public const int MaxFen = DuesRules.MaxBaseFen;

    /// <summary>Why a voluntary amount cannot be taken, or null.</summary>
    public static string? Refusal(int voluntaryFen) =>
        voluntaryFen is < 0 or > MaxFen ? $"自愿多交金额应在0至{DuesRules.Yuan(MaxFen)}元之间" : null;

    /// <summary>What the ledger calls a voluntary part: null for none.</summary>
    public static string? Label(int extraFen, string? kind) =>
        extraFen <= 0 ? null : kind == "forward_in_full"
            ? $"自愿多交党费{DuesRules.Yuan(extraFen)}元（单笔1000元以上，全额上缴中央）"
            : $"自愿多交党费{DuesRules.Yuan(extraFen)}元";

    public static VoluntaryPart Split(int paidFen, int dueFen)
    {
        if (paidFen < 0 || dueFen < 0)
            throw new ArgumentOutOfRangeException(paidFen < 0 ? nameof(paidFen) : nameof(dueFen), "amounts are never negative");
        if (paidFen <= dueFen)
            return new VoluntaryPart(paidFen, 0, VoluntaryKind.None, null);
        var extra = paidFen - dueFen;
        return extra >= DuesRules.ForwardInFullFen
            ? new VoluntaryPart(dueFen, extra, VoluntaryKind.ForwardInFull, Label(extra, "forward_in_full"))
            : new VoluntaryPart(dueFen, extra, VoluntaryKind.Voluntary, Label(extra, "voluntary"));
    }
}
