using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Members;

namespace WxQms.Tests.Rules.Members;

/// <summary>The 党性体检's weights and grades, the 优秀 share of 民主评议, what raises a star and how attendance counts (issue #18).</summary>
public sealed class MemberOwnPartRulesTests
{
    private static readonly CheckupItem[] Items = [new(1, "理想信念", "坚定理想信念", 3), new(2, "政治纪律", "遵守政治纪律", 1)];

    private static Dictionary<long, int> Ratings(int first, int second) => new() { [1] = first, [2] = second };

    [Theory]
    [InlineData(5, 5, 100)]      // all 好
    [InlineData(1, 1, 0)]        // all 差
    [InlineData(5, 1, 75)]       // the heavy item weighs three times the light one
    [InlineData(1, 5, 25)]
    [InlineData(3, 3, 50)]       // the middle of the scale
    [InlineData(4, 2, 62.5)]
    public void A_rating_scores_as_the_weighted_mean_on_a_hundred(int first, int second, decimal score) =>
        Assert.Equal(score, Checkups.Score(Items, Ratings(first, second)));

    [Theory]
    [InlineData(100, CheckupGrade.Good)]
    [InlineData(90, CheckupGrade.Good)]         // each floor belongs to its grade
    [InlineData(89.99, CheckupGrade.Fair)]
    [InlineData(75, CheckupGrade.Fair)]
    [InlineData(74.99, CheckupGrade.Average)]
    [InlineData(60, CheckupGrade.Average)]
    [InlineData(59.99, CheckupGrade.Poor)]
    [InlineData(0, CheckupGrade.Poor)]
    public void A_score_has_its_grade(decimal score, CheckupGrade grade) => Assert.Equal(grade, Checkups.GradeOf(score));

    [Theory]
    [InlineData(5, 5, 5, 5, 100, "")]
    [InlineData(5, 5, 4, 4, 82.5, "")]        // self 30 %, branch 70 %
    [InlineData(5, 5, 5, 3, 91.25, "2")]       // the branch's 3 marks the item to improve
    [InlineData(3, 5, 5, 5, 88.75, "1")]       // so does the member's own
    [InlineData(2, 2, 3, 3, 42.5, "1,2")]     // heaviest first
    public void A_result_combines_both_ratings_and_names_the_items_to_improve(int s1, int s2, int b1, int b2, decimal score, string improve)
    {
        var result = Checkups.Result(Items, Ratings(s1, s2), Ratings(b1, b2));

        Assert.Equal(score, result.Score);
        Assert.Equal(improve, string.Join(',', result.ToImprove.Select(i => i.Id)));
    }

    [Theory]
    [InlineData("1=5,2=5", null)]
    [InlineData("1=5", "请为「遵守政治纪律」打分")]
    [InlineData("1=5,2=6", "每题打1到5分")]
    [InlineData("1=0,2=5", "每题打1到5分")]
    [InlineData("1=5,2=5,9=5", "题目 9 不在本年度问卷中")]
    public void Ratings_answer_every_item_once_from_one_to_five(string given, string? refusal)
    {
        var ratings = given.Split(',').Select(p => p.Split('=')).ToDictionary(p => long.Parse(p[0]), p => int.Parse(p[1]));

        Assert.Equal(refusal, Checkups.CheckRatings(Items, ratings));
    }

    [Fact]
    public void A_year_without_items_cannot_be_answered() =>
        Assert.Equal("本年度的体检问卷还没有题目", Checkups.CheckRatings([], new Dictionary<long, int>()));

    [Theory]
    [InlineData("理想信念", "题目", 1, true)]
    [InlineData("理想信念", "题目", 10, true)]
    [InlineData("理想信念", "题目", 0, false)]      // a weight from 1 to 10
    [InlineData("理想信念", "题目", 11, false)]
    [InlineData("", "题目", 3, false)]
    [InlineData("理想信念", " ", 3, false)]
    public void An_item_has_a_section_a_text_and_a_weight_from_one_to_ten(string section, string text, int weight, bool ok) =>
        Assert.Equal(ok, Checkups.CheckItem(section, text, weight) is null);

    [Fact]
    public void The_topics_of_an_org_life_meeting_are_the_items_most_members_should_improve()
    {
        var topics = Checkups.Topics([[Items[1]], [Items[1], Items[0]], [Items[1], Items[1]]], 5);

        Assert.Equal([(2L, 3), (1L, 1)], topics.Select(t => (t.Item.Id, t.Members)));
        Assert.Single(Checkups.Topics([[Items[1]], [Items[0]]], 1));
    }

    private static readonly Grant BranchSecretary = new(Roles.Secretary, 5, "/1/2/5/", OrgKind.Branch);

    [Theory]
    [InlineData(7L, "/1/2/5/", true)]           // the member herself
    [InlineData(8L, "/1/2/5/", true)]           // her branch's secretary
    [InlineData(8L, "/1/2/5/9/", true)]         // … above her party group
    [InlineData(8L, "/1/2/6/", false)]          // another branch's secretary
    public void A_check_up_is_read_by_the_member_and_her_branch_secretary(long viewer, string memberPath, bool may) =>
        Assert.Equal(may, Checkups.CanRead(viewer, viewer == 7 ? [] : [BranchSecretary], 7, memberPath));

    [Theory]
    [InlineData(Roles.Staff, "/1/", OrgKind.Subdistrict)]
    [InlineData(Roles.Committee, "/1/2/", OrgKind.CommunityCommittee)]
    [InlineData(Roles.Worker, "/1/2/5/", OrgKind.Branch)]
    [InlineData(Roles.Member, "/1/2/5/", OrgKind.Branch)]
    [InlineData(Roles.Secretary, "/1/2/", OrgKind.CommunityCommittee)] // a community's secretary is not her secretary
    public void Nobody_else_reads_a_check_up(string role, string path, OrgKind kind) =>
        Assert.False(Checkups.CanRead(8, [new Grant(role, 1, path, kind)], 7, "/1/2/5/"));

    [Theory]
    [InlineData(0, 0.34, 0)]
    [InlineData(1, 0.34, 1)]       // a branch that grades anyone may name one 优秀
    [InlineData(3, 0.34, 1)]
    [InlineData(6, 0.34, 2)]
    [InlineData(9, 0.3334, 3)]
    [InlineData(10, 0.3334, 3)]    // rounded down
    [InlineData(10, 0, 0)]         // no 优秀 at all
    [InlineData(10, 2, 10)]        // a share above one is everyone
    public void The_share_of_excellent_is_limited(int graded, decimal share, int max) =>
        Assert.Equal(max, Appraisals.MaxExcellent(graded, share));

    [Theory]
    [InlineData("1=E,2=Q,3=Q", null)]
    [InlineData("1=E,2=E,3=Q", null)]       // two of six is within a third
    [InlineData("1=E,2=E,3=E", "优秀等次不超过参评党员的34%：本支部6名正式党员，至多2名优秀，现为3名")]
    [InlineData("1=U,9=Q", "党员 9 不是本支部的正式党员（预备党员参加评议但不评定等次）")]
    public void A_branch_s_grades_stay_within_its_members_and_the_share(string given, string? refusal)
    {
        var grades = given.Split(',').Select(p => p.Split('=')).ToDictionary(p => long.Parse(p[0]), p => p[1] switch
        {
            "E" => AppraisalGrade.Excellent,
            "Q" => AppraisalGrade.Qualified,
            "B" => AppraisalGrade.BasicallyQualified,
            _ => AppraisalGrade.Unqualified,
        });

        Assert.Equal(refusal, Appraisals.Check(grades, new HashSet<long> { 1, 2, 3, 4, 5, 6 }, 0.34m));
    }

    [Theory]
    [InlineData(AppraisalGrade.Unqualified, true)]
    [InlineData(AppraisalGrade.BasicallyQualified, false)]
    [InlineData(AppraisalGrade.Qualified, false)]
    [InlineData(AppraisalGrade.Excellent, false)]
    public void Only_an_unqualified_grade_opens_a_follow_up(AppraisalGrade grade, bool opens) =>
        Assert.Equal(opens, Appraisals.NeedsFollowUp(grade));

    private static readonly decimal[] Thresholds = [4, 10, 18, 28];

    [Theory]
    [InlineData(0, null, "再得 4 分可升一星（参加组织生活、认领微心愿均可得分）；年终民主评议为优秀可再加一星")]
    [InlineData(9.5, null, "再得 0.5 分可升一星（参加组织生活、认领微心愿均可得分）；年终民主评议为优秀可再加一星")]
    [InlineData(10, AppraisalGrade.Qualified, "再得 8 分可升一星（参加组织生活、认领微心愿均可得分）")]
    [InlineData(28, null, "已达最高星级")]
    [InlineData(18, AppraisalGrade.Excellent, "已达最高星级")]           // four by points, 优秀 adds the fifth
    [InlineData(30, AppraisalGrade.BasicallyQualified, "本年民主评议为基本合格，星级至多二星；来年评议合格后按积分评定")]
    [InlineData(30, AppraisalGrade.Unqualified, "本年民主评议为不合格，星级定为一星；完成整改、来年评议合格后按积分评定")]
    [InlineData(0, AppraisalGrade.BasicallyQualified, "再得 4 分可升一星（参加组织生活、认领微心愿均可得分）")] // below the cap, points still count
    public void The_record_says_what_would_raise_the_stars(decimal points, AppraisalGrade? grade, string advice) =>
        Assert.Equal(advice, StarAdvice.For(points, Thresholds, grade));

    [Theory]
    [InlineData("present", MeetingPresence.Attended)]
    [InlineData("absent", MeetingPresence.Missed)]
    [InlineData("on_leave", MeetingPresence.OnLeave)]
    [InlineData("late", MeetingPresence.Missed)]        // an unknown mark is not an attendance
    public void An_attendance_row_counts_as_attended_on_leave_or_missed(string presence, MeetingPresence expected) =>
        Assert.Equal(expected, Records.Presence(presence));

    [Fact]
    public void Meetings_are_tallied() =>
        Assert.Equal(new AttendanceTally(2, 1, 1), Records.Tally([MeetingPresence.Attended, MeetingPresence.Missed,
            MeetingPresence.OnLeave, MeetingPresence.Attended]));

    [Theory]
    [InlineData("2026-12-20", "2026-12-12", null)]         // more than a week before the due day: nothing yet
    [InlineData("2026-12-20", "2026-12-13", "due_soon")]   // a week before
    [InlineData("2026-12-20", "2026-12-20", "due_soon")]   // the due day itself
    [InlineData("2026-12-20", "2026-12-21", "overdue")]    // the day after
    [InlineData("2026-12-20", "2027-03-01", "overdue")]
    public void An_open_follow_up_reminds_a_week_before_its_due_day_and_once_more_when_overdue(string dueOn, string today, string? kind) =>
        Assert.Equal(kind, Appraisals.FollowUpReminder(DateOnly.Parse(dueOn, System.Globalization.CultureInfo.InvariantCulture),
            DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Every source that books points to a member reads as what it is on her record (我的记录), never as 其他.</summary>
    [Theory]
    [InlineData("task.attendance", "参加组织生活")]
    [InlineData("wish.lit", "认领微心愿")]
    [InlineData("dues.on_time", "按时交纳党费")]       // a month's dues paid on time (0.2 points, the dues issue)
    [InlineData("task.review_returned", "佐证退回扣回")]
    [InlineData("task.cancelled", "任务取消冲销")]
    [InlineData("task.review", "审核加减分")]
    [InlineData("something.new", "其他")]
    public void A_ledger_source_reads_as_what_it_is(string source, string label) => Assert.Equal(label, Records.SourceLabel(source));
}
