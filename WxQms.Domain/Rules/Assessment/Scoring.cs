namespace WxQms.Domain.Rules.Assessment;

/// <summary>One task due in the period: its possible points, the sum of its org ledger entries, and
/// whether it was missed (overdue, or still open past its due time).</summary>
public sealed record TaskScore(long TaskId, long OrgId, decimal Possible, decimal LedgerPoints, bool Missed);

/// <summary>
/// An org's result for a period. <see cref="Earned"/> is over the tasks due in the period,
/// <see cref="Carried"/> the corrections booked since the last close to tasks of months already closed
/// (DESIGN.md, Scoring: a correction shows in the next snapshot). <see cref="Ratio"/> is null when the
/// org had nothing to do: shown as "no tasks", never as 0 %.
/// </summary>
public sealed record OrgResult(long OrgId, decimal Possible, decimal Earned, decimal Carried, int Tasks, int Missed)
{
    public decimal Total => Earned + Carried;

    public bool HasTasks => Possible > 0;

    public decimal? Ratio => Possible > 0 ? Math.Round(Total / Possible, 6, MidpointRounding.AwayFromZero) : null;

    public static OrgResult Empty(long orgId) => new(orgId, 0, 0, 0, 0, 0);
}

/// <summary>
/// The period result: earned ÷ possible over the tasks DUE in the period (planned and ad-hoc; the
/// caller leaves cancelled tasks out), so an ad-hoc task given to some orgs changes only their own
/// ratio. A task earns the sum of its ledger entries (on time, late, overdue deduction, reversals,
/// quality review), clamped to [−possible, possible × (1 + <see cref="MaxBonusShare"/>)]: a deduction
/// never costs more than the task is worth, and quality bonuses cannot lift one task above 120 %.
/// </summary>
public static class Scoring
{
    public const decimal MaxBonusShare = 0.2m;

    public static decimal TaskEarned(decimal possible, decimal ledgerPoints)
    {
        if (possible <= 0)
            return 0;
        return Math.Clamp(ledgerPoints, -possible, possible * (1 + MaxBonusShare));
    }

    /// <summary>The result of one org from its own tasks (not its subtree).</summary>
    public static OrgResult ForOrg(long orgId, IEnumerable<TaskScore> tasks, decimal carried = 0)
    {
        decimal possible = 0, earned = 0;
        int count = 0, missed = 0;
        foreach (var t in tasks)
        {
            if (t.OrgId != orgId)
                throw new ArgumentException($"task {t.TaskId} belongs to org {t.OrgId}, not {orgId}", nameof(tasks));
            possible += t.Possible;
            earned += TaskEarned(t.Possible, t.LedgerPoints);
            count++;
            if (t.Missed)
                missed++;
        }
        return new OrgResult(orgId, possible, earned, carried, count, missed);
    }

    /// <summary>
    /// A parent's result from its parts (its branches, its own tasks): the sums, so each part weighs by
    /// its possible points — Σ earned ÷ Σ possible, never an average of ratios.
    /// </summary>
    public static OrgResult Aggregate(long orgId, IEnumerable<OrgResult> parts)
    {
        decimal possible = 0, earned = 0, carried = 0;
        int tasks = 0, missed = 0;
        foreach (var p in parts)
        {
            possible += p.Possible;
            earned += p.Earned;
            carried += p.Carried;
            tasks += p.Tasks;
            missed += p.Missed;
        }
        return new OrgResult(orgId, possible, earned, carried, tasks, missed);
    }
}
