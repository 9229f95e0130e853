using System.Globalization;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Tests.Rules.Tasks;

public sealed class PlanCheckTests
{
    private static readonly DateTimeOffset OpensAt = At("2026-10-31T16:00:00Z");
    private static readonly DateTimeOffset DueAt = At("2026-11-30T16:00:00Z");
    private static readonly DateTimeOffset Meeting = At("2026-11-20T09:00:00+08:00");

    private static DateTimeOffset At(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-11-01T08:00:00+08:00", true)]
    [InlineData("2026-11-17T00:00:00+08:00", true)]
    [InlineData("2026-11-17T23:59:00+08:00", true)]
    [InlineData("2026-11-18T00:00:00+08:00", false)]
    [InlineData("2026-11-17T16:00:00Z", false)]
    [InlineData("2026-11-20T08:00:00+08:00", false)]
    public void A_meeting_plan_comes_three_Shanghai_days_ahead(string reportedAt, bool accepted)
    {
        var template = TaskCatalogue.Default.Resolve(TaskCodes.CommitteeMeeting, new DateOnly(2026, 1, 1));

        var refusal = PlanCheck.Refusal(template, Meeting, At(reportedAt), OpensAt, DueAt);

        Assert.Equal(accepted, refusal is null);
    }

    [Fact]
    public void A_late_plan_is_told_how_far_ahead_it_must_come()
    {
        var template = TaskCatalogue.Default.Resolve(TaskCodes.CommitteeMeeting, new DateOnly(2026, 1, 1));

        Assert.Equal("须提前3天报备计划（计划时间2026年11月20日 09:00，现在仅提前1天）",
            PlanCheck.Refusal(template, Meeting, At("2026-11-19T10:00:00+08:00"), OpensAt, DueAt));
    }

    [Theory]
    [InlineData("2026-10-31T23:00:00+08:00")]
    [InlineData("2026-12-01T00:00:00+08:00")]
    public void A_plan_outside_the_period_is_refused(string plannedFor)
    {
        var template = TaskCatalogue.Default.Resolve(TaskCodes.CommitteeMeeting, new DateOnly(2026, 1, 1));

        var refusal = PlanCheck.Refusal(template, At(plannedFor), At("2026-10-01T10:00:00+08:00"), OpensAt, DueAt);

        Assert.StartsWith($"计划时间（{Periods.Describe(At(plannedFor))}）不在本期内（2026年11月1日至2026年11月30日）", refusal);
    }
}
