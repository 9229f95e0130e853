using System.Net;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Members;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Members;

/// <summary>党性体检 (issue #18 item 3) and 民主评议 (item 4) through the real pipeline.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class CheckupAndAppraisalTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly MemberPartWorld w = new(app);

    public async ValueTask InitializeAsync() => await w.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static object Ratings(IReadOnlyList<long> items, params int[] ratings) =>
        new { ratings = items.Select((id, i) => new { itemId = id, rating = ratings[i] }).ToArray() };

    [Fact]
    public async Task A_member_rates_herself_her_secretary_rates_her_and_both_see_the_grade_and_the_items_to_improve()
    {
        var items = await w.QuestionnaireAsync();

        var (formStatus, form) = await w.GetAsync("/api/mp/checkups/form", w.Member);
        var (selfStatus, self) = await w.SendAsync(HttpMethod.Put, "/api/mp/checkups/me", w.Member, Ratings(items, 5, 4, 5));
        var (branchStatus, branch) = await w.SendAsync(HttpMethod.Put, $"/api/mp/checkups/members/{w.Member}", w.Secretary, Ratings(items, 5, 5, 3));
        var (_, mine) = await w.GetAsync("/api/mp/checkups/me", w.Member);

        Assert.Equal((HttpStatusCode.OK, 3), (formStatus, form.GetArrayLength()));
        Assert.Equal(HttpStatusCode.OK, selfStatus);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, self.GetProperty("grade").ValueKind); // the branch has not rated her yet
        Assert.Equal(HttpStatusCode.OK, branchStatus);
        // self: (3·1 + 1·0.75 + 2·1)/6 = 95.83; branch: (3 + 1 + 2·0.5)/6 = 83.33; 0.3·95.83 + 0.7·83.33 = 87.08
        Assert.Equal(87.08m, mine.GetProperty("score").GetDecimal());
        Assert.Equal("较好", mine.GetProperty("gradeLabel").GetString());
        Assert.Equal([items[2]], mine.GetProperty("toImprove").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(branch.GetProperty("score").GetDecimal(), mine.GetProperty("score").GetDecimal());
        Assert.Equal(2, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'checkup.%assessed' AND entity_id = @m",
            new { m = w.Member }));

        var (_, list) = await w.GetAsync($"/api/mp/checkups/branches/{w.Branch}", w.Secretary);
        var row = list.EnumerateArray().Single(r => r.GetProperty("memberId").GetInt64() == w.Member);
        Assert.True(row.GetProperty("selfDone").GetBoolean() && row.GetProperty("branchDone").GetBoolean());
    }

    [Fact]
    public async Task A_check_up_is_seen_by_the_member_and_her_secretary_only()
    {
        var items = await w.QuestionnaireAsync();
        await w.SendAsync(HttpMethod.Put, "/api/mp/checkups/me", w.Member, Ratings(items, 5, 5, 5));
        var url = $"/api/mp/checkups/members/{w.Member}";

        Assert.Equal(HttpStatusCode.OK, (await w.GetAsync(url, w.Member)).Status);
        Assert.Equal(HttpStatusCode.OK, (await w.GetAsync(url, w.Secretary)).Status);
        foreach (var viewer in new[] { w.Other, w.Staff, w.StrangerSecretary })
        {
            var (status, problem) = await w.GetAsync(url, viewer);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("auth.forbidden", MemberPartWorld.Code(problem));
        }
        // Nor may another branch's secretary rate her, or list her branch; a plain member lists nobody.
        Assert.Equal(HttpStatusCode.Forbidden, (await w.SendAsync(HttpMethod.Put, url, w.StrangerSecretary, Ratings(items, 1, 1, 1))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await w.GetAsync($"/api/mp/checkups/branches/{w.Branch}", w.StrangerSecretary)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await w.GetAsync($"/api/mp/checkups/branches/{w.Branch}", w.Other)).Status);
    }

    [Fact]
    public async Task Ratings_must_answer_the_whole_questionnaire_and_an_answered_questionnaire_stays_as_it_is()
    {
        var items = await w.QuestionnaireAsync();

        var (partial, problem) = await w.SendAsync(HttpMethod.Put, "/api/mp/checkups/me", w.Member,
            new { ratings = new[] { new { itemId = items[0], rating = 5 } } });
        var (twice, _) = await w.SendAsync(HttpMethod.Put, "/api/mp/checkups/me", w.Member,
            new { ratings = new[] { new { itemId = items[0], rating = 5 }, new { itemId = items[0], rating = 4 } } });
        var (lastYear, old) = await w.SendAsync(HttpMethod.Put, $"/api/mp/checkups/members/{w.Member}?year={w.Year - 1}", w.Secretary,
            Ratings(items, 5, 5, 5)); // the year is this year's whatever is asked: the rating lands in this year
        await w.SendAsync(HttpMethod.Put, "/api/mp/checkups/me", w.Member, Ratings(items, 5, 5, 5));

        Assert.Equal(HttpStatusCode.Conflict, partial);
        Assert.Equal("checkup.invalid", MemberPartWorld.Code(problem));
        Assert.Equal(HttpStatusCode.BadRequest, twice);
        Assert.Equal(w.Year, old.GetProperty("year").GetInt32());
        var ex = await Assert.ThrowsAsync<WxQms.Domain.Model.ConflictException>(() => w.QuestionnaireAsync());
        Assert.Equal("checkup.form_in_use", ex.Code);
    }

    [Fact]
    public async Task The_branch_s_org_life_meeting_lists_the_items_its_members_should_improve_without_names()
    {
        var items = await w.QuestionnaireAsync();
        foreach (var member in new[] { w.Member, w.Other })
        {
            await w.SendAsync(HttpMethod.Put, $"/api/mp/checkups/members/{member}", w.Secretary, Ratings(items, 5, 2, member == w.Member ? 3 : 5));
            await w.SendAsync(HttpMethod.Put, "/api/mp/checkups/me", member, Ratings(items, 5, 5, 5));
        }
        var orgLife = await ScalarAsync("SELECT id FROM tasks WHERE org_id = @branch AND template_code = @code",
            new { branch = w.Branch, code = TaskCodes.OrgLifeMeeting });

        var (status, topics) = await w.GetAsync($"/api/mp/checkups/topics?task={orgLife}", w.Other);

        Assert.Equal(HttpStatusCode.OK, status);
        var list = topics.GetProperty("topics").EnumerateArray().ToList();
        Assert.Equal(["认真学习党的理论", "严守政治纪律和政治规矩"], list.Select(t => t.GetProperty("text").GetString()));
        Assert.Equal([2, 1], list.Select(t => t.GetProperty("members").GetInt32()));
        Assert.DoesNotContain("memberId", topics.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, (await w.GetAsync($"/api/mp/checkups/topics?task={orgLife}", w.Stranger)).Status);
    }

    private async Task OrgLifeHeldAsync() => await ExecuteAsync(
        "UPDATE tasks SET state = 'completed' WHERE org_id = @branch AND template_code = @code",
        new { branch = w.Branch, code = TaskCodes.OrgLifeMeeting });

    [Fact]
    public async Task Grades_wait_for_the_org_life_meeting_keep_excellent_within_the_share_and_move_the_stars()
    {
        var url = $"/api/mp/appraisals/{w.Branch}";
        object Grades(params (long Member, string Grade)[] g) => new { grades = g.Select(x => new { memberId = x.Member, grade = x.Grade }).ToArray() };

        var (early, earlyProblem) = await w.SendAsync(HttpMethod.Put, url, w.Secretary, Grades((w.Member, "excellent")));
        await OrgLifeHeldAsync();
        var (_, before) = await w.GetAsync(url, w.Secretary);
        var max = before.GetProperty("maxExcellent").GetInt32();
        var full = before.GetProperty("members").EnumerateArray().Where(m => m.GetProperty("status").GetString() == "full")
            .Select(m => m.GetProperty("memberId").GetInt64()).ToList();
        var (tooMany, tooManyProblem) = await w.SendAsync(HttpMethod.Put, url, w.Secretary,
            Grades(full.Take(max + 1).Select(m => (m, "excellent")).ToArray()));
        var (byMember, _) = await w.SendAsync(HttpMethod.Put, url, w.Member, Grades((w.Member, "excellent")));
        var (ok, after) = await w.SendAsync(HttpMethod.Put, url, w.Secretary, Grades((w.Member, "excellent"), (w.Other, "basicallyQualified")));
        var (_, stars) = await w.GetAsync("/api/mp/me/stars", w.Member);

        Assert.Equal(HttpStatusCode.Conflict, early);
        Assert.Equal("appraisal.before_org_life", MemberPartWorld.Code(earlyProblem));
        Assert.Equal((int)Math.Floor(Math.Round(full.Count / 3m, 6)) is var third && third > 0 ? third : 1, max);
        Assert.Equal(HttpStatusCode.Conflict, tooMany);
        Assert.Equal("appraisal.too_many_excellent", MemberPartWorld.Code(tooManyProblem));
        Assert.Equal(HttpStatusCode.Forbidden, byMember);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("excellent", after.GetProperty("members").EnumerateArray()
            .Single(m => m.GetProperty("memberId").GetInt64() == w.Member).GetProperty("grade").GetString());
        Assert.Equal(("excellent", 2), (stars.GetProperty("grade").GetString(), stars.GetProperty("stars").GetInt32())); // 1 by points, +1
    }

    [Fact]
    public async Task An_unqualified_grade_opens_a_follow_up_that_reminds_the_secretary_and_closes_with_a_talk_and_a_plan()
    {
        await OrgLifeHeldAsync();
        var (status, branch) = await w.SendAsync(HttpMethod.Put, $"/api/mp/appraisals/{w.Branch}", w.Secretary,
            new { grades = new[] { new { memberId = w.Member, grade = "unqualified" } } });

        Assert.Equal(HttpStatusCode.OK, status);
        var followUp = branch.GetProperty("followUps").EnumerateArray().Single();
        Assert.Equal(w.Member, followUp.GetProperty("memberId").GetInt64());
        var id = followUp.GetProperty("id").GetInt64();
        Assert.Equal(1, await ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'appraisal_fu' AND subject_id = @id AND member_id = @secretary
            """, new { id, secretary = w.Secretary }));
        var (_, stars) = await w.GetAsync("/api/mp/me/stars", w.Member);
        Assert.Equal(1, stars.GetProperty("stars").GetInt32());

        // Recording the same grade again opens nothing new and reminds nobody twice.
        await w.SendAsync(HttpMethod.Put, $"/api/mp/appraisals/{w.Branch}", w.Secretary,
            new { grades = new[] { new { memberId = w.Member, grade = "unqualified" } } });
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM reminders WHERE subject_type = 'appraisal_fu'"));

        var url = $"/api/mp/appraisals/follow-ups/{id}";
        var (early, problem) = await w.SendAsync(HttpMethod.Put, url, w.Secretary, new { close = true });
        var (stranger, _) = await w.SendAsync(HttpMethod.Put, url, w.StrangerSecretary, new { talkedOn = (string?)null, close = false });
        var today = WxQms.Domain.Rules.Tasks.Periods.LocalDate(app.Clock.GetUtcNow());
        var (closed, done) = await w.SendAsync(HttpMethod.Put, url, w.Secretary,
            new { talkedOn = today.ToString("yyyy-MM-dd"), plan = "每月参加主题党日，季度向支部汇报思想", close = true });

        Assert.Equal(HttpStatusCode.Conflict, early);
        Assert.Equal("appraisal.followup_incomplete", MemberPartWorld.Code(problem));
        Assert.Equal(HttpStatusCode.Forbidden, stranger);
        Assert.Equal(HttpStatusCode.OK, closed);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, done.GetProperty("closedAt").ValueKind);
    }

    [Fact]
    public async Task An_open_follow_up_reminds_the_secretary_a_week_before_it_is_due_and_again_when_overdue_once_each()
    {
        await OrgLifeHeldAsync();
        var (_, branch) = await w.SendAsync(HttpMethod.Put, $"/api/mp/appraisals/{w.Branch}", w.Secretary,
            new { grades = new[] { new { memberId = w.Member, grade = "unqualified" } } });
        var id = branch.GetProperty("followUps").EnumerateArray().Single().GetProperty("id").GetInt64();
        var dueOn = DateOnly.Parse(branch.GetProperty("followUps").EnumerateArray().Single().GetProperty("dueOn").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture);
        var scan = app.Get<AppraisalFollowUpScan>();
        DateTimeOffset At(DateOnly day) => new(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(8));
        Task<long> Sent(string kind) => ScalarAsync("""
            SELECT COUNT(*) FROM reminders WHERE subject_type = 'appraisal_fu' AND subject_id = @id AND kind = @kind AND member_id = @secretary
            """, new { id, kind, secretary = w.Secretary });

        Assert.Equal(0, await scan.ScanAsync(At(dueOn.AddDays(-8)), Ct));
        Assert.True(await scan.ScanAsync(At(dueOn.AddDays(-3)), Ct) > 0);
        Assert.Equal(0, await scan.ScanAsync(At(dueOn.AddDays(-2)), Ct)); // once
        Assert.Equal(1, await Sent("due_soon"));
        Assert.True(await scan.ScanAsync(At(dueOn.AddDays(1)), Ct) > 0);
        Assert.Equal(1, await Sent("overdue"));

        await ExecuteAsync("UPDATE appraisal_followups SET closed_at = UTC_TIMESTAMP() WHERE id = @id", new { id });
        await ExecuteAsync("DELETE FROM reminders WHERE subject_type = 'appraisal_fu'");
        Assert.Equal(0, await scan.ScanAsync(At(dueOn.AddDays(5)), Ct)); // a closed follow-up reminds nobody
    }
}
