using WxQms.Domain.Rules.Development;

namespace WxQms.Tests.Rules.Development;

/// <summary>The branch's development work as tasks (DUTIES.md §A.4): which deadlines are the branch's duty now, one case per edge.</summary>
public sealed class DevelopmentDutiesTests
{
    private static readonly DateOnly D = new(2025, 1, 10);

    /// <summary>Steps recorded on the given days, in order.</summary>
    private static DevFacts Facts(params (int Step, int Day)[] records) =>
        new(new DateOnly(1990, 1, 1), records.Select(r => new DevRecord(r.Step, D.AddDays(r.Day))).ToList());

    private static (int, int)[] Upto(int last, int day = 0) => Enumerable.Range(1, last).Select(s => (s, day)).ToArray();

    public static TheoryData<string, (int, int)[], int[], string[]> Cases => new()
    {
        { "nothing recorded: no duty yet", [], [], [] },
        { "applied: the talk within a month", [(1, 0)], [2], ["2025-02-10"] },
        { "talked: nothing until the activist is confirmed", Upto(2), [], [] },
        { "activist filed, contacts not yet: no assessment yet (the branch cannot record it)", Upto(4), [], [] },
        { "contacts appointed: the assessment half a year after the confirmation", [.. Upto(2), (3, 5), (4, 6), (5, 7)], [6], ["2025-07-15"] },
        { "assessed: the next half year from the assessment", [.. Upto(5), (6, 100)], [6], ["2025-10-20"] },
        { "a candidate: no more activist assessments", [.. Upto(6), (7, 400)], [], [] },
        { "pre-reviewed: the member meeting within a month", [.. Upto(13, 0)], [15], ["2025-02-10"] },
        { "志愿书 filled after the pre-review: the meeting still due a month after the pre-review", [.. Upto(13, 0), (14, 3)], [15], ["2025-02-10"] },
        { "admitted by the meeting: the committee approves, not the branch's task", [.. Upto(15, 0)], [], [] },
        { "sworn in: the probation assessment half a year later", [.. Upto(19, 0), (20, 30)], [21], ["2025-08-09"] },
        { "assessed on probation: the next half year", [.. Upto(20, 0), (21, 60)], [21], ["2025-09-11"] },
        { "asked for full membership: the meeting by three months after the probation ends", [.. Upto(14, 0), (15, 1), .. Enumerable.Range(16, 7).Select(s => (s, 2))], [23], ["2026-04-11"] },
        { "all 25 done: nothing", Upto(25), [], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_branch_owes_the_deadlines_it_can_meet_now(string why, (int, int)[] records, int[] steps, string[] dueOn)
    {
        var duties = DevelopmentDuties.Due(Facts(records), "张三");
        Assert.True(steps.SequenceEqual(duties.Select(d => d.Step)), why);
        Assert.Equal(dueOn.Select(DateOnly.Parse), duties.Select(d => d.DueOn));
    }

    [Fact]
    public void A_duty_opens_when_its_clock_starts_and_its_key_names_the_applicant_the_step_and_the_due_day()
    {
        var duty = DevelopmentDuties.Due(Facts((1, 0)), "欧阳娜娜娜娜娜娜娜娜娜娜").Single();
        Assert.Equal(D, duty.OpensOn);
        Assert.Equal("与入党申请人欧阳娜娜娜娜娜娜娜娜谈话", duty.Title); // the name clipped to ten characters
        Assert.Equal("dev:42:2:20250210", duty.Key(42));
        Assert.Equal(2, DevelopmentDuties.StepOf(duty.Key(42)));
        Assert.Null(DevelopmentDuties.StepOf("adhoc:42:7"));
        Assert.Null(DevelopmentDuties.StepOf("dev:42:x:20250210"));
    }

    [Fact]
    public void The_assessment_that_opened_the_next_half_year_does_not_do_it_the_next_one_does()
    {
        var facts = new DevFacts(new DateOnly(1990, 1, 1), [new DevRecord(3, D), new DevRecord(6, D.AddMonths(6))]);
        var next = DevelopmentDuties.Due(facts, "张三").Single();
        Assert.Equal((6, D.AddMonths(6), D.AddMonths(12)), (next.Step, next.OpensOn, next.DueOn));
        Assert.Null(DevelopmentDuties.DoneBy(6, next.OpensOn, next.DueOn, facts));
        var assessed = facts with { Records = [.. facts.Records, new DevRecord(6, D.AddMonths(11))] };
        Assert.Equal(D.AddMonths(11), DevelopmentDuties.DoneBy(6, next.OpensOn, next.DueOn, assessed)?.OccurredOn);
    }

    [Theory]
    [InlineData(-1, false)] // a talk dated before the application does not do it
    [InlineData(0, true)] // the same day
    [InlineData(31, true)] // the due day itself
    [InlineData(32, false)] // too late to count: the task stays overdue
    public void The_steps_record_does_the_duty_within_its_window(int talkDay, bool done)
    {
        var facts = new DevFacts(new DateOnly(1990, 1, 1), [new DevRecord(1, D), new DevRecord(2, D.AddDays(talkDay))]);
        Assert.Equal(done, DevelopmentDuties.DoneBy(2, D, D.AddMonths(1), facts) is not null);
    }
}
