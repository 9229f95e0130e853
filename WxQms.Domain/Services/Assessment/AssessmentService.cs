using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Assessment;

/// <summary>The 民主评议 hook: year-end grades by member. The default knows none (stars follow points alone).</summary>
public interface IAppraisalGrades
{
    Task<IReadOnlyDictionary<long, AppraisalGrade>> GradesAsync(int year, CancellationToken ct);
}

public sealed class NoAppraisalGrades : IAppraisalGrades
{
    public Task<IReadOnlyDictionary<long, AppraisalGrade>> GradesAsync(int year, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<long, AppraisalGrade>>(new Dictionary<long, AppraisalGrade>());
}

/// <summary>
/// Deductions outside the task ledger, per org, for a period (issue #19: nonconformities past due). The default has none;
/// each is added to the org's carried corrections, so it counts in the total and the ratio like a reversal does.
/// </summary>
public interface IAssessmentDeductions
{
    Task<IReadOnlyDictionary<long, decimal>> DeductionsAsync(Period period, CancellationToken ct);
}

/// <summary>A period's results: from the stored snapshot for a closed month, else computed from the ledger now.</summary>
public sealed record PeriodResults(Period Period, bool Provisional, DateTimeOffset? ClosedAt, DateTimeOffset AsOf, IReadOnlyList<OrgLine> Lines);

/// <summary>
/// Period results, rankings and star ratings (issue #6). A closed month is read from its snapshot; any
/// other period (the current month, a month not closed yet, a quarter, a year) is computed from the
/// ledger as it stands and marked provisional while the period is open.
/// </summary>
public sealed class AssessmentService(AssessmentStore store, IAppraisalGrades grades, IOptions<AssessmentOptions> options,
    TimeProvider clock, ILogger<AssessmentService> log, IAssessmentDeductions? deductions = null)
{
    public const string CloseActor = "system:monthly-close";

    public async Task<PeriodResults> GetResultsAsync(Period period, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (period.Kind == RecurrenceKind.Monthly && await store.GetCloseAsync(period.Key, ct) is { } close)
            return new PeriodResults(period, false, close.ClosedAt, close.ClosedAt, await store.LoadOrgResultsAsync(period.Key, ct));

        var deducted = await DeductionsAsync(period, ct);
        return await store.ReadAsync(async conn =>
        {
            var orgs = PeriodAssessment.InPeriod(await AssessmentStore.LoadOrgsAsync(conn, null, ct), period);
            var tasks = await AssessmentStore.LoadTaskScoresAsync(conn, null, period.StartsAt, period.EndsAt, null, now, ct);
            IReadOnlyDictionary<long, decimal> carried = new Dictionary<long, decimal>();
            if (period.Kind == RecurrenceKind.Monthly
                && await AssessmentStore.LastCloseBeforeAsync(conn, null, period.StartsAt, ct) is { } previous)
                carried = await AssessmentStore.LoadCarriedAsync(conn, null, previous.LedgerWatermark, null, period.StartsAt, ct);
            var lines = PeriodAssessment.Assess(orgs, DirectResults(tasks, WithDeductions(carried, deducted)));
            return new PeriodResults(period, now < period.EndsAt || period.Kind == RecurrenceKind.Monthly, null, now, lines);
        }, ct);
    }

    private async Task<IReadOnlyDictionary<long, decimal>> DeductionsAsync(Period period, CancellationToken ct) =>
        deductions is null ? new Dictionary<long, decimal>() : await deductions.DeductionsAsync(period, ct);

    private static IReadOnlyDictionary<long, decimal> WithDeductions(IReadOnlyDictionary<long, decimal> carried,
        IReadOnlyDictionary<long, decimal> deducted)
    {
        if (deducted.Count == 0)
            return carried;
        var sum = carried.ToDictionary(p => p.Key, p => p.Value);
        foreach (var (orgId, points) in deducted)
            sum[orgId] = sum.GetValueOrDefault(orgId) - points;
        return sum;
    }

    private static IEnumerable<OrgResult> DirectResults(IReadOnlyList<TaskScore> tasks, IReadOnlyDictionary<long, decimal> carried)
    {
        var byOrg = tasks.GroupBy(t => t.OrgId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var orgId in byOrg.Keys.Union(carried.Keys))
            yield return Scoring.ForOrg(orgId, byOrg.GetValueOrDefault(orgId) ?? [], carried.GetValueOrDefault(orgId));
    }

    /// <summary>The month a close at <paramref name="now"/> is for: the previous month from 01:00 on the 1st
    /// (Shanghai); null in the hour after midnight on the 1st, when the month just ended is not due yet.</summary>
    public static Period? MonthToClose(DateTimeOffset now)
    {
        var current = Periods.Containing(Recurrence.Monthly, now);
        return now - current.StartsAt < TimeSpan.FromHours(1)
            ? null
            : Periods.Containing(Recurrence.Monthly, current.StartsAt.AddDays(-1));
    }

    /// <summary>
    /// Closes <paramref name="month"/> once: computes the results as of the ledger's last entry, then writes
    /// the snapshot. False when it was closed already (here or by another process). Never edits a snapshot.
    /// </summary>
    public async Task<bool> CloseMonthAsync(Period month, CancellationToken ct)
    {
        if (month.Kind != RecurrenceKind.Monthly)
            throw new ArgumentException("only months are closed", nameof(month));
        var now = clock.GetUtcNow();
        if (now < month.EndsAt)
            throw new InvalidOperationException($"{month.Key} has not ended yet");
        if (await store.GetCloseAsync(month.Key, ct) is not null)
            return false;

        var deducted = await DeductionsAsync(month, ct);
        var written = await store.InCloseTransactionAsync(async (conn, tx) =>
        {
            var watermark = await AssessmentStore.LedgerWatermarkAsync(conn, tx, ct);
            var previous = await AssessmentStore.LastCloseBeforeAsync(conn, tx, month.StartsAt, ct);
            var orgs = PeriodAssessment.InPeriod(await AssessmentStore.LoadOrgsAsync(conn, tx, ct), month);
            var tasks = await AssessmentStore.LoadTaskScoresAsync(conn, tx, month.StartsAt, month.EndsAt, watermark, now, ct);
            var carried = previous is null
                ? new Dictionary<long, decimal>()
                : await AssessmentStore.LoadCarriedAsync(conn, tx, previous.LedgerWatermark, watermark, month.StartsAt, ct);
            var lines = PeriodAssessment.Assess(orgs, DirectResults(tasks, WithDeductions(carried, deducted)))
                .Where(l => l.Org.Depth == 0 || (l.Org.Listed && (PeriodAssessment.IsCommunity(l.Org) || PeriodAssessment.IsBranch(l.Org))))
                .ToList();
            var members = await MemberStarsAsync(conn, tx, month, null, ct);

            // Another process closing the same month wins the unique key: then nothing of ours is written.
            var close = new MonthClose(month.Key, watermark, previous?.LedgerWatermark, now, CloseActor, lines.Count, members.Count);
            return await AssessmentStore.TryWriteSnapshotAsync(conn, tx, close, month.StartsAt, month.EndsAt, lines, members, ct)
                ? close
                : null;
        }, ct);
        if (written is null)
            return false;
        log.LogInformation("Closed {Month}: {Orgs} org results, {Members} members, ledger up to #{Watermark}",
            month.Key, written.OrgRows, written.MemberRows, written.LedgerWatermark);
        return true;
    }

    private async Task<IReadOnlyList<MemberStars>> MemberStarsAsync(System.Data.Common.DbConnection conn,
        System.Data.Common.DbTransaction? tx, Period month, long? memberId, CancellationToken ct)
    {
        var year = Periods.For(RecurrenceKind.Yearly, month.Year, 1);
        var points = await AssessmentStore.LoadMemberPointsAsync(conn, tx, year.StartsAt, month.StartsAt, month.EndsAt, memberId, ct);
        var yearGrades = await grades.GradesAsync(month.Year, ct);
        var thresholds = options.Value.StarThresholds;
        return points.Select(p =>
        {
            AppraisalGrade? grade = yearGrades.TryGetValue(p.MemberId, out var g) ? g : null;
            return new MemberStars(p.MemberId, p.OrgId, p.Name, p.Points, p.PointsYear, Stars.For(p.PointsYear, thresholds, grade), grade);
        }).ToList();
    }

    /// <summary>Every member's points and stars for a month: the snapshot when closed, else live (issue #18: a branch's stars).</summary>
    public async Task<(IReadOnlyList<MemberStars> Stars, bool Provisional)> MembersStarsAsync(Period month, CancellationToken ct)
    {
        if (await store.GetCloseAsync(month.Key, ct) is not null)
            return (await store.LoadMembersAsync(month.Key, ct), false);
        return (await store.ReadAsync(conn => MemberStarsAsync(conn, null, month, null, ct), ct), true);
    }

    /// <summary>One member's points and stars for a month: the snapshot when closed, else live.</summary>
    public async Task<(MemberStars? Stars, bool Provisional)> MemberStarsAsync(long memberId, Period month, CancellationToken ct)
    {
        if (await store.GetCloseAsync(month.Key, ct) is not null)
            return (await store.LoadMemberAsync(month.Key, memberId, ct), false);
        var live = await store.ReadAsync(conn => MemberStarsAsync(conn, null, month, memberId, ct), ct);
        return (live.FirstOrDefault(), true);
    }
}
