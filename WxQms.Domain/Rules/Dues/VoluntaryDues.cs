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
    public static VoluntaryPart Split(int paidFen, int dueFen)
    {
        if (paidFen < 0 || dueFen < 0)
            throw new ArgumentOutOfRangeException(paidFen < 0 ? nameof(paidFen) : nameof(dueFen), "amounts are never negative");
        if (paidFen <= dueFen)
            return new VoluntaryPart(paidFen, 0, VoluntaryKind.None, null);
        var extra = paidFen - dueFen;
        return extra >= DuesRules.ForwardInFullFen
            ? new VoluntaryPart(dueFen, extra, VoluntaryKind.ForwardInFull, $"自愿多交党费{DuesRules.Yuan(extra)}元（单笔1000元以上，全额上缴中央）")
            : new VoluntaryPart(dueFen, extra, VoluntaryKind.Voluntary, $"自愿多交党费{DuesRules.Yuan(extra)}元");
    }
}
