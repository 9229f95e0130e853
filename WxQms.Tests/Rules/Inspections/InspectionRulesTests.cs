using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Inspections;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules.Inspections;

/// <summary>The inspection's pure rules: the checklist, the plan's coverage, an inspector's term, a submission's completeness; one case per edge.</summary>
public sealed class InspectionRulesTests
{
    private static readonly DateOnly Day = new(2026, 12, 7);

    [Fact]
    public void The_checklist_asks_each_branch_duty_in_force_citing_its_documents_clause_or_else_its_regulation_then_the_fixed_items()
    {
        var inForce = TaskCatalogue.Default.InForce(Day);
        var cited = inForce.First(t => t.AppliesTo.Kind == OrgKind.Branch);
        var communityOnly = inForce.Where(t => t.AppliesTo.CommunityLevelOnly).Select(t => t.Code).ToHashSet();
        var items = InspectionRules.Checklist(inForce, new Dictionary<string, string> { [cited.Code] = "DFL-QP-03 §4.2" });

        Assert.Equal(Enumerable.Range(1, items.Count), items.Select(i => i.No));
        Assert.Equal((cited.Code, "DFL-QP-03 §4.2"), (items[0].DutyCode, items[0].Clause)); // a cited duty first, with its clause
        Assert.All(items, i => Assert.False(string.IsNullOrWhiteSpace(i.Clause))); // every item cites something
        Assert.DoesNotContain(items, i => i.DutyCode is { } c && communityOnly.Contains(c));
        var uncited = items.First(i => i.DutyCode is { } c && c != cited.Code);
        Assert.Equal(inForce.Single(t => t.Code == uncited.DutyCode).Source, uncited.Clause);
        Assert.Equal(InspectionRules.FixedItems.Select(f => f.Text), items.TakeLast(InspectionRules.FixedItems.Count).Select(i => i.Text));
    }

    private static readonly CoverageBranch A = new(1, "第一支部", "甲社区"), B = new(2, "第二支部", "甲社区"), C = new(3, "第三支部", "乙社区");

    public static TheoryData<string, PlannedVisit[], long[]> CoverageCases => new()
    {
        { "no visit at all: every branch a gap", [], [1, 2, 3] },
        { "one visit each covers all", [new(10, 1, 1, true, "王"), new(11, 2, 4, false, "李"), new(12, 3, 2, false, "王")], [] },
        { "a planned (not done) visit covers", [new(10, 1, 4, false, "王"), new(11, 2, 4, false, "王"), new(12, 3, 4, false, "王")], [] },
        { "two visits of one branch leave the others gaps", [new(10, 1, 1, true, "王"), new(11, 1, 3, false, "王")], [2, 3] },
        { "a visit of an org not in the list is ignored", [new(10, 9, 1, true, "王"), new(11, 1, 1, true, "王"), new(12, 2, 1, true, "王")], [3] },
    };

    [Theory]
    [MemberData(nameof(CoverageCases))]
    public void Coverage_shows_every_branch_and_the_gaps_first(string why, PlannedVisit[] visits, long[] gaps)
    {
        var coverage = InspectionRules.CoverageOf([A, B, C], visits);
        Assert.Equal(3, coverage.Lines.Count);
        Assert.True(gaps.SequenceEqual(coverage.Gaps.Select(g => g.Branch.OrgId).Order()), why);
        Assert.Equal(3 - gaps.Length, coverage.Covered);
        Assert.True(coverage.Lines.Take(gaps.Length).All(l => l.Gap), why);
    }

    [Theory]
    [InlineData("2026-01-01", "2027-12-31", "2026-01-01", true)] // first day
    [InlineData("2026-01-01", "2027-12-31", "2027-12-31", true)] // last day
    [InlineData("2026-01-01", "2027-12-31", "2028-01-01", false)] // ended
    [InlineData("2027-01-01", "2027-12-31", "2026-12-31", false)] // not begun
    public void A_term_covers_its_first_and_last_day(string from, string to, string day, bool inTerm) =>
        Assert.Equal(inTerm, InspectionRules.InTerm(DateOnly.Parse(from), DateOnly.Parse(to), DateOnly.Parse(day)));

    [Theory]
    [InlineData("街道党工委", "2026-01-01", "2027-12-31", null)]
    [InlineData("", "2026-01-01", "2027-12-31", "请填写巡查员所在单位（不超过100字）")]
    [InlineData("街道党工委", null, "2027-12-31", "请填写任期起止日期")]
    [InlineData("街道党工委", "2026-01-02", "2026-01-01", "任期结束日期不能早于开始日期")]
    [InlineData("街道党工委", "2026-01-01", "2032-01-01", "任期不能超过五年")]
    public void A_term_needs_a_unit_and_a_span_of_at_most_five_years(string unit, string? from, string? to, string? error) =>
        Assert.Equal(error, InspectionRules.CheckTerm(unit, from is null ? null : DateOnly.Parse(from), to is null ? null : DateOnly.Parse(to)));

    public static TheoryData<string, ItemAnswer[]?, string?> AnswerCases => new()
    {
        { "all answered", [new(1, "pass", null, null, null), new(2, "fail", "major", "缺签到表", ["t1"]), new(3, "na", null, null, null)], null },
        { "nothing sent", null, "inspection.incomplete" },
        { "an item left out", [new(1, "pass", null, null, null), new(3, "pass", null, null, null)], "inspection.incomplete" },
        { "an unknown item", [new(1, "pass", null, null, null), new(2, "pass", null, null, null), new(3, "pass", null, null, null), new(4, "pass", null, null, null)], "request.invalid" },
        { "an item twice", [new(1, "pass", null, null, null), new(1, "fail", null, "x", null), new(2, "pass", null, null, null), new(3, "pass", null, null, null)], "request.invalid" },
        { "a result not known", [new(1, "ok", null, null, null), new(2, "pass", null, null, null), new(3, "pass", null, null, null)], "request.invalid" },
        { "a finding without a note", [new(1, "fail", null, " ", null), new(2, "pass", null, null, null), new(3, "pass", null, null, null)], "inspection.finding_note_required" },
        { "a severity not known", [new(1, "fail", "grave", "x", null), new(2, "pass", null, null, null), new(3, "pass", null, null, null)], "request.invalid" },
        { "ten photos on an item", [new(1, "fail", null, "x", Enumerable.Range(0, 10).Select(i => $"t{i}").ToArray()), new(2, "pass", null, null, null), new(3, "pass", null, null, null)], "request.invalid" },
    };

    [Theory]
    [MemberData(nameof(AnswerCases))]
    public void A_submission_answers_every_item_once_and_describes_each_finding(string why, ItemAnswer[]? answers, string? code) =>
        Assert.True(code == InspectionRules.CheckAnswers([1, 2, 3], answers, null)?.Code, why);

    [Theory]
    [InlineData(InspectionKind.Inspection, NonconformitySource.Inspection)]
    [InlineData(InspectionKind.SelfInspection, NonconformitySource.SelfInspection)]
    [InlineData(InspectionKind.Audit, NonconformitySource.Audit)]
    public void Findings_enter_the_register_under_their_kinds_source(InspectionKind kind, NonconformitySource source) =>
        Assert.Equal(source, InspectionRules.SourceOf(kind));

    [Theory]
    [InlineData(2026, 1, "2026-03-31")]
    [InlineData(2026, 4, "2026-12-31")]
    [InlineData(2028, 1, "2028-03-31")]
    public void A_quarter_ends_on_its_last_day(int year, int quarter, string end) =>
        Assert.Equal(DateOnly.Parse(end), InspectionRules.QuarterEnd(year, quarter));

    [Theory]
    [InlineData("2026-12-17", false)] // fifteen days before the end
    [InlineData("2026-12-18", true)] // the first of the last fourteen days
    [InlineData("2026-12-31", true)] // the last day
    [InlineData("2027-01-01", false)] // the next quarter
    public void An_inspection_not_made_is_due_in_its_quarters_last_two_weeks(string today, bool due) =>
        Assert.Equal(due, InspectionRules.DueSoon(2026, 4, DateOnly.Parse(today)));
}
