using WxQms.Domain.Rules.Development;

namespace WxQms.Tests.Rules.Development;

/// <summary>The 25 steps and the time rules of member development (DUTIES.md §A.4), one case per edge, without a database.</summary>
public sealed class DevelopmentRulesTests
{
    private static readonly DateOnly Born = new(1990, 5, 10);
    private static readonly DateOnly Applied = new(2024, 3, 1);

    /// <summary>Steps 1..<paramref name="upTo"/> recorded, each on the given day or (by default) a day after the one before.</summary>
    private static DevFacts Walked(int upTo, Dictionary<int, DateOnly>? on = null, int extension = 0)
    {
        var records = new List<DevRecord>();
        var day = Applied;
        for (var s = 1; s <= upTo; s++)
        {
            day = on is not null && on.TryGetValue(s, out var d) ? d : day.AddDays(s == 1 ? 0 : 1);
            records.Add(new DevRecord(s, day));
        }
        return new DevFacts(Born, records, extension);
    }

    private static IReadOnlyList<DevFinding> Check(DevFacts facts, DevStepInput input) =>
        DevelopmentRules.Check(facts, input, new DateOnly(2030, 1, 1));

    private static DevFinding? Find(IEnumerable<DevFinding> findings, string code) => findings.FirstOrDefault(f => f.Code == code);

    [Fact]
    public void There_are_25_steps_in_five_stages_numbered_in_order_with_the_committee_recording_its_own()
    {
        Assert.Equal(25, DevelopmentSteps.All.Count);
        Assert.Equal(Enumerable.Range(1, 25), DevelopmentSteps.All.Select(s => s.Number));
        Assert.Equal([2, 4, 5, 7, 7], DevelopmentSteps.All.GroupBy(s => s.Stage).Select(g => g.Count()));
        Assert.Equal([4, 8, 13, 16, 17, 18, 24, 25],
            DevelopmentSteps.All.Where(s => s.Recorder == DevRecorder.Committee).Select(s => s.Number));
        Assert.Null(DevelopmentSteps.Get(0));
        Assert.Null(DevelopmentSteps.Get(26));
    }

    [Theory]
    [InlineData("2006-03-01", null)] // 18 on the day: old enough
    [InlineData("2006-03-02", "development.too_young")] // 18 tomorrow
    [InlineData("2010-01-01", "development.too_young")] // 14
    public void An_application_needs_the_applicant_to_be_18(string birth, string? code)
    {
        var facts = new DevFacts(DateOnly.Parse(birth), []);
        var findings = Check(facts, new DevStepInput(1, Applied, Photos: 1));
        Assert.Equal(code, findings.SingleOrDefault()?.Code);
        if (code is not null)
            Assert.Contains("《中国共产党章程》第一条", findings.Single().Text);
    }

    [Fact]
    public void An_application_without_a_birth_date_is_refused() =>
        Assert.Equal("development.birth_date", Check(new DevFacts(null, []), new DevStepInput(1, Applied, Photos: 1)).Single().Code);

    [Theory]
    [InlineData(0, "development.document_missing")] // the written application not photographed: warned
    [InlineData(1, null)]
    public void A_document_step_without_a_photo_is_warned(int photos, string? warning)
    {
        var findings = Check(new DevFacts(Born, []), new DevStepInput(1, Applied, Photos: photos));
        Assert.Equal(warning, findings.SingleOrDefault()?.Code);
        Assert.All(findings, f => Assert.Equal(DevSeverity.Warn, f.Severity));
    }

    [Theory]
    [InlineData("2024-04-01", null)] // exactly a month: on time
    [InlineData("2024-04-02", "development.talk_late")] // a day late: warned, not refused
    public void The_talk_is_due_within_a_month_of_the_application(string talk, string? warning)
    {
        var findings = Check(Walked(1), new DevStepInput(2, DateOnly.Parse(talk)));
        Assert.Equal(warning, findings.SingleOrDefault()?.Code);
        Assert.All(findings, f => Assert.Equal(DevSeverity.Warn, f.Severity));
        if (warning is not null)
            Assert.Contains("第八条", findings.Single().Text);
    }

    [Theory]
    [InlineData("2025-03-02", null)] // a year after the activist was confirmed (2024-03-02)
    [InlineData("2025-03-01", "development.activist_year")] // a day short
    [InlineData("2024-09-01", "development.activist_year")]
    public void A_candidate_needs_a_year_as_activist(string candidate, string? block)
    {
        var on = new Dictionary<int, DateOnly> { [3] = new(2024, 3, 2), [4] = new(2024, 3, 3), [5] = new(2024, 3, 4),
            [6] = new(2024, 8, 30) };
        var facts = Walked(6, on) with { Records = [.. Walked(6, on).Records, new DevRecord(6, new DateOnly(2024, 8, 31))] };
        var findings = Check(facts, new DevStepInput(7, DateOnly.Parse(candidate)));
        Assert.Equal(block, Find(findings, "development.activist_year")?.Code);
        if (block is not null)
        {
            Assert.Equal(DevSeverity.Block, Find(findings, block)!.Severity);
            Assert.Contains("第十三条", Find(findings, block)!.Text);
        }
    }

    [Theory]
    [InlineData(1, null)] // one assessment in the first half year, candidate after 12 months: two were due
    [InlineData(2, null)]
    public void A_candidate_without_the_half_yearly_assessments_is_warned(int assessments, string? _)
    {
        var records = new List<DevRecord> { new(1, Applied), new(2, Applied.AddDays(5)), new(3, new(2024, 4, 1)), new(4, new(2024, 4, 2)),
            new(5, new(2024, 4, 3)) };
        for (var i = 0; i < assessments; i++)
            records.Add(new DevRecord(6, new DateOnly(2024, 9, 1).AddMonths(i * 6)));
        var findings = Check(new DevFacts(Born, records), new DevStepInput(7, new DateOnly(2025, 4, 2)));
        var warning = Find(findings, "development.assessment_due");
        Assert.Equal(assessments < 2, warning is not null);
        Assert.All(findings, f => Assert.Equal(DevSeverity.Warn, f.Severity));
    }

    [Theory]
    [InlineData(0, "development.contacts")]
    [InlineData(1, null)]
    [InlineData(2, null)]
    [InlineData(3, "development.contacts")]
    public void One_or_two_cultivation_contacts(int count, string? block) =>
        Assert.Equal(block, Check(Walked(4), new DevStepInput(5, Applied.AddDays(10), Enumerable.Range(1, count).Select(i => (long)i).ToList()))
            .SingleOrDefault()?.Code);

    [Theory]
    [InlineData(new long[] { 7 }, "development.introducers")]
    [InlineData(new long[] { 7, 7 }, "development.introducers")] // the same person twice is one introducer
    [InlineData(new long[] { 7, 8 }, null)]
    [InlineData(new long[] { 7, 8, 9 }, "development.introducers")]
    public void Two_introducers(long[] people, string? block) =>
        Assert.Equal(block, Check(Walked(8), new DevStepInput(9, Applied.AddDays(20), people)).SingleOrDefault()?.Code);

    [Theory]
    [InlineData(null, "development.review_conclusion")]
    [InlineData("  ", "development.review_conclusion")]
    [InlineData("政治历史清白，现实表现良好", null)]
    public void The_political_review_has_a_written_conclusion(string? conclusion, string? block) =>
        Assert.Equal(block, Check(Walked(9), new DevStepInput(10, Applied.AddDays(20), Conclusion: conclusion)).SingleOrDefault()?.Code);

    [Theory]
    [InlineData(3, 0, null)] // three days
    [InlineData(0, 24, null)] // or 24 class hours
    [InlineData(2, 23, "development.training_short")]
    [InlineData(2, 16, "development.training_short")]
    public void Training_of_three_days_or_24_hours(int days, int hours, string? block)
    {
        var findings = Check(Walked(10), new DevStepInput(11, Applied.AddDays(20), Training: new DevTraining(days, hours)));
        Assert.Equal(block, findings.SingleOrDefault()?.Code);
        if (block is not null)
            Assert.Contains("第十七条", findings.Single().Text);
    }

    [Fact]
    public void Training_not_recorded_at_all_is_refused() =>
        Assert.Equal("development.training_short", Check(Walked(10), new DevStepInput(11, Applied.AddDays(20))).Single().Code);

    [Theory]
    [InlineData(20, 11, 11, null)] // 11 of 20 present and in favour: more than half
    [InlineData(20, 10, 10, "development.quorum")] // exactly half present: no quorum
    [InlineData(20, 20, 10, "development.majority")] // exactly half of those entitled in favour: not adopted
    [InlineData(20, 15, 10, "development.majority")] // most of those present, not half of the full members with a vote
    [InlineData(3, 2, 2, null)]
    [InlineData(20, 21, 11, "development.vote_invalid")] // more present than entitled
    [InlineData(20, 11, 12, "development.vote_invalid")] // more in favour than present
    [InlineData(0, 0, 0, "development.vote_invalid")]
    public void The_member_meeting_needs_a_quorum_and_a_majority_of_full_members_with_a_vote(int eligible, int present, int yes, string? block)
    {
        var facts = Walked(14);
        var findings = Check(facts, new DevStepInput(15, facts.Records[^1].OccurredOn, Vote: new DevVote(eligible, present, yes)));
        Assert.Equal(block, findings.FirstOrDefault(f => f.Severity == DevSeverity.Block)?.Code);
    }

    [Fact]
    public void A_meeting_without_a_vote_is_refused() =>
        Assert.Equal("development.vote_invalid", Check(Walked(14), new DevStepInput(15, Applied.AddDays(20))).Single().Code);

    [Theory]
    [InlineData("2025-06-01", null)] // the review a year before the meeting: still valid
    [InlineData("2025-06-02", "development.review_expired")] // a year and a day: warned (local rule)
    public void The_political_review_is_valid_for_a_year(string meeting, string? warning)
    {
        var on = new Dictionary<int, DateOnly> { [10] = new(2024, 6, 1), [11] = new(2025, 5, 1), [12] = new(2025, 5, 2),
            [13] = new(2025, 5, 10), [14] = new(2025, 5, 11) };
        var findings = Check(Walked(14, on), new DevStepInput(15, DateOnly.Parse(meeting), Vote: new DevVote(10, 8, 8)));
        Assert.Equal(warning, Find(findings, "development.review_expired")?.Code);
        Assert.All(findings, f => Assert.Equal(DevSeverity.Warn, f.Severity));
    }

    [Theory]
    [InlineData("2025-06-10", null)]
    [InlineData("2025-06-11", "development.meeting_late")] // more than a month after the pre-review
    public void The_meeting_follows_the_pre_review_within_a_month(string meeting, string? warning)
    {
        var on = new Dictionary<int, DateOnly> { [10] = new(2025, 5, 1), [13] = new(2025, 5, 10), [14] = new(2025, 5, 11) };
        var findings = Check(Walked(14, on), new DevStepInput(15, DateOnly.Parse(meeting), Vote: new DevVote(10, 8, 8)));
        Assert.Equal(warning, findings.SingleOrDefault()?.Code);
    }

    [Theory]
    [InlineData("2025-09-01", null, DevSeverity.Warn)] // three months after the meeting (2025-06-01)
    [InlineData("2025-09-02", "development.approval_late", DevSeverity.Warn)] // later: warned
    [InlineData("2025-12-01", "development.approval_late", DevSeverity.Warn)] // six months: still allowed
    [InlineData("2025-12-02", "development.approval_expired", DevSeverity.Block)] // beyond: the branch must discuss again
    public void The_higher_committee_approves_within_three_months_six_at_most(string approval, string? code, DevSeverity severity)
    {
        var on = new Dictionary<int, DateOnly> { [15] = new(2025, 6, 1), [16] = new(2025, 6, 5) };
        var findings = Check(Walked(16, on), new DevStepInput(17, DateOnly.Parse(approval)));
        Assert.Equal(code, findings.SingleOrDefault()?.Code);
        if (code is not null)
            Assert.Equal(severity, findings.Single().Severity);
    }

    [Theory]
    [InlineData("2025-09-01", "development.out_of_order")] // three months: too early to discuss again
    [InlineData("2025-09-02", null)] // more than three months unapproved: the branch discusses again
    public void Without_approval_after_three_months_the_branch_may_discuss_again(string meeting, string? block)
    {
        var on = new Dictionary<int, DateOnly> { [15] = new(2025, 6, 1), [16] = new(2025, 6, 5) };
        var findings = Check(Walked(16, on), new DevStepInput(15, DateOnly.Parse(meeting), Vote: new DevVote(10, 8, 8)));
        Assert.Equal(block, findings.SingleOrDefault(f => f.Severity == DevSeverity.Block)?.Code);
    }

    [Theory]
    [InlineData(0, "2026-06-01", null)] // a year after the meeting of 2025-06-01
    [InlineData(0, "2026-05-31", "development.probation_not_over")]
    [InlineData(6, "2026-11-30", "development.probation_not_over")] // extended by six months
    [InlineData(6, "2026-12-01", null)]
    [InlineData(12, "2027-06-01", null)]
    public void Full_membership_is_discussed_not_before_probation_ends(int extension, string meeting, string? block)
    {
        var on = new Dictionary<int, DateOnly> { [15] = new(2025, 6, 1), [16] = new(2025, 6, 5), [17] = new(2025, 6, 20),
            [18] = new(2025, 6, 21), [19] = new(2025, 6, 22), [20] = new(2025, 7, 1), [21] = new(2025, 12, 1), [22] = new(2026, 5, 20) };
        var findings = Check(Walked(22, on, extension), new DevStepInput(23, DateOnly.Parse(meeting), Vote: new DevVote(10, 8, 8)));
        var blocked = findings.SingleOrDefault(f => f.Severity == DevSeverity.Block);
        Assert.Equal(block, blocked?.Code);
        if (block is not null)
            Assert.Contains("《中国共产党章程》第七条", blocked!.Text);
    }

    [Theory]
    [InlineData("2026-09-01", null)]
    [InlineData("2026-12-02", "development.approval_expired")] // more than six months after the meeting of 2026-06-01
    public void Full_membership_is_approved_within_six_months(string approval, string? block)
    {
        var on = new Dictionary<int, DateOnly> { [15] = new(2025, 6, 1), [16] = new(2025, 6, 5), [17] = new(2025, 6, 20),
            [18] = new(2025, 6, 21), [19] = new(2025, 6, 22), [20] = new(2025, 7, 1), [21] = new(2025, 12, 1), [22] = new(2026, 5, 20),
            [23] = new(2026, 6, 1) };
        Assert.Equal(block, Check(Walked(23, on), new DevStepInput(24, DateOnly.Parse(approval)))
            .SingleOrDefault(f => f.Severity == DevSeverity.Block)?.Code);
    }

    [Fact]
    public void Probation_ends_a_year_after_the_meeting_and_party_standing_counts_from_then()
    {
        var facts = Walked(17, new Dictionary<int, DateOnly> { [15] = new(2025, 6, 1) });
        Assert.Equal(new DateOnly(2025, 6, 1), DevelopmentRules.AdmittedOn(facts));
        Assert.Equal(new DateOnly(2026, 6, 1), DevelopmentRules.ProbationEndsOn(facts));
        Assert.Equal(new DateOnly(2026, 12, 1), DevelopmentRules.PartyStandingOn(facts with { ExtensionMonths = 6 }));
    }

    [Theory]
    [InlineData(17, 0, 5, "development.extension")] // less than six months
    [InlineData(17, 0, 6, null)]
    [InlineData(17, 0, 12, null)]
    [InlineData(17, 0, 13, "development.extension")] // more than a year
    [InlineData(17, 6, 6, "development.extension")] // once only
    [InlineData(16, 0, 6, "development.extension")] // not yet a probationary member
    [InlineData(24, 0, 6, "development.extension")] // already a full member
    public void Probation_is_extended_once_by_six_to_twelve_months(int upTo, int already, int months, string? block) =>
        Assert.Equal(block, DevelopmentRules.ExtensionRefusal(Walked(upTo, extension: already), months)?.Code);

    [Theory]
    [InlineData(3, 5, "development.out_of_order")] // skipping a step
    [InlineData(3, 3, "development.out_of_order")] // the same step again (not a repeatable one)
    [InlineData(6, 6, null)] // another half-yearly assessment
    [InlineData(21, 21, null)]
    [InlineData(25, 1, "development.finished")]
    [InlineData(3, 26, "development.step_unknown")]
    public void Steps_are_recorded_in_order(int recorded, int step, string? block)
    {
        var facts = Walked(recorded, new Dictionary<int, DateOnly> { [15] = Applied.AddDays(14), [23] = Applied.AddYears(2) });
        var input = new DevStepInput(step, facts.Records[^1].OccurredOn.AddDays(1), [1, 2], new DevVote(5, 5, 5), new DevTraining(3, 24), "结论", 1);
        var findings = Check(facts, input);
        Assert.Equal(block, findings.FirstOrDefault(f => f.Severity == DevSeverity.Block)?.Code);
    }

    [Fact]
    public void A_day_in_the_future_or_before_the_previous_step_is_refused()
    {
        var facts = Walked(2);
        Assert.Equal("development.future_date",
            DevelopmentRules.Check(facts, new DevStepInput(3, new DateOnly(2024, 6, 2)), new DateOnly(2024, 6, 1)).Single().Code);
        Assert.Equal("development.before_previous", Check(facts, new DevStepInput(3, facts.Records[^1].OccurredOn.AddDays(-1))).Single().Code);
        Assert.Empty(Check(facts, new DevStepInput(3, facts.Records[^1].OccurredOn)));
    }

    [Fact]
    public void The_next_step_and_its_window_form_the_timetable()
    {
        Assert.Equal(1, DevelopmentRules.NextStep(new DevFacts(Born, [])));
        var applied = Walked(1);
        Assert.Equal(2, DevelopmentRules.NextStep(applied));
        Assert.Equal(Applied.AddMonths(1), DevelopmentRules.Window(applied, 2).Due);
        var activist = Walked(6, new Dictionary<int, DateOnly> { [3] = new(2024, 4, 1), [6] = new(2024, 9, 1) });
        Assert.Equal(new DateOnly(2025, 4, 1), DevelopmentRules.Window(activist, 7).Earliest);
        Assert.Equal(new DateOnly(2025, 3, 1), DevelopmentRules.Window(activist, 6).Due);
        Assert.Null(DevelopmentRules.NextStep(Walked(25)));
    }
}
