using System.Net;
using System.Net.Http.Headers;
using MiniExcelLibs;
using WxQms.Domain.Rules.Tasks;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Members;

/// <summary>我的 (issue #18 item 6) and a branch's stars (item 7) through the real pipeline.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class MemberRecordTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly MemberPartWorld w = new(app);

    public async ValueTask InitializeAsync() => await w.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A held meeting of the branch with the given marks (its latest submission).</summary>
    private async Task<long> MeetingAsync(int nth, params (long Member, string Presence)[] marks)
    {
        var task = await ScalarAsync("SELECT id FROM tasks WHERE org_id = @branch ORDER BY due_at, id LIMIT 1 OFFSET @nth",
            new { branch = w.Branch, nth });
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var evidence = await ScalarAsync("""
            INSERT INTO task_evidence (task_id, held_at, submitted_at, submitted_by, passed, on_time, points)
            VALUES (@task, @now, @now, 'test', TRUE, TRUE, 1);
            SELECT LAST_INSERT_ID();
            """, new { task, now = now.AddHours(-nth - 1) });
        foreach (var (member, presence) in marks)
            await ExecuteAsync("INSERT INTO evidence_attendance (evidence_id, member_id, presence) VALUES (@evidence, @member, @presence)",
                new { evidence, member, presence });
        return task;
    }

    [Fact]
    public async Task A_member_s_record_lists_every_point_with_its_source_and_the_sum_is_her_stars_points()
    {
        var now = app.Clock.GetUtcNow();
        var meeting = await MeetingAsync(0, (w.Member, "present"), (w.Other, "present"));
        await w.World.BookMemberAsync(w.Member, TaskScoring.AttendancePoints, LedgerSources.Attendance, meeting, now.AddMinutes(-30));
        await w.World.BookMemberAsync(w.Member, -TaskScoring.AttendancePoints, LedgerSources.ReviewReturned, meeting, now.AddMinutes(-20));
        await w.World.BookMemberAsync(w.Member, 1, LedgerSources.Attendance, await MeetingAsync(1, (w.Member, "present")), now.AddMinutes(-10));
        await ExecuteAsync("""
            INSERT INTO points_ledger (subject_type, subject_id, period_key, points, source, task_id, ref_id, reason, created_at)
            VALUES ('member', @member, 'wish', 2, 'wish.lit', NULL, 99, '点亮微心愿：为独居老人送餐', @at),
                   ('member', @member, 'old', 5, 'task.attendance', NULL, 98, '去年的出席', @lastYear),
                   ('member', @other, 'wish', 3, 'wish.lit', NULL, 97, '别人的积分', @at)
            """, new { member = w.Member, other = w.Other, at = now.AddMinutes(-5).UtcDateTime,
            lastYear = new DateTime(w.Year - 1, 6, 1, 0, 0, 0, DateTimeKind.Utc) });

        var (status, record) = await w.GetAsync("/api/mp/me/record", w.Member);
        var (_, stars) = await w.GetAsync("/api/mp/me/stars", w.Member);

        Assert.Equal(HttpStatusCode.OK, status);
        var points = record.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(4, points.Count); // this year's four entries: not last year's, not another member's
        Assert.All(points, p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("reason").GetString())));
        Assert.Equal(["参加组织生活", "佐证退回扣回", "参加组织生活", "认领微心愿"], points.Select(p => p.GetProperty("sourceLabel").GetString()));
        Assert.Equal("点亮微心愿：为独居老人送餐", points[3].GetProperty("reason").GetString());
        Assert.NotNull(points[0].GetProperty("task").GetString());
        var sum = points.Sum(p => p.GetProperty("points").GetDecimal());
        Assert.Equal(3m, sum);
        Assert.Equal(sum, record.GetProperty("pointsTotal").GetDecimal());
        Assert.Equal(sum, stars.GetProperty("pointsYear").GetDecimal());
        Assert.Equal(sum, record.GetProperty("starsPoints").GetDecimal());
        Assert.Equal(stars.GetProperty("stars").GetInt32(), record.GetProperty("stars").GetInt32());
        Assert.Equal(sum, record.GetProperty("bySource").EnumerateArray().Sum(s => s.GetProperty("points").GetDecimal()));
        Assert.Equal(sum, record.GetProperty("months").EnumerateArray().Last().GetProperty("pointsYear").GetDecimal());
        Assert.StartsWith("再得 1 分可升一星", record.GetProperty("advice").GetString());
        Assert.Equal(JsonValueKindNull, record.GetProperty("dues").ValueKind); // no monthly dues rows made for her yet
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task The_record_counts_meetings_attended_on_leave_and_missed_from_the_latest_attendance()
    {
        await MeetingAsync(0, (w.Member, "present"));
        await MeetingAsync(1, (w.Member, "absent"));
        await MeetingAsync(2, (w.Member, "on_leave"));
        var returned = await MeetingAsync(3, (w.Member, "absent"));
        // The task was returned and sent again: only its latest submission counts.
        await ExecuteAsync("""
            INSERT INTO task_evidence (task_id, held_at, submitted_at, submitted_by, passed, on_time, points)
            SELECT task_id, held_at, submitted_at, 'test', TRUE, TRUE, 1 FROM task_evidence WHERE task_id = @returned;
            INSERT INTO evidence_attendance (evidence_id, member_id, presence) VALUES (LAST_INSERT_ID(), @member, 'present');
            """, new { returned, member = w.Member });

        var (_, record) = await w.GetAsync("/api/mp/me/record", w.Member);

        var meetings = record.GetProperty("meetings");
        Assert.Equal((2, 1, 1), (meetings.GetProperty("attended").GetInt32(), meetings.GetProperty("onLeave").GetInt32(),
            meetings.GetProperty("missed").GetInt32()));
        Assert.Equal(4, record.GetProperty("meetingList").GetArrayLength());
        Assert.Contains(record.GetProperty("meetingList").EnumerateArray(), m => m.GetProperty("presenceLabel").GetString() == "请假");
    }

    [Fact]
    public async Task Her_branch_secretary_reads_her_record_nobody_else_does()
    {
        var url = $"/api/mp/members/{w.Member}/record";

        Assert.Equal(HttpStatusCode.OK, (await w.GetAsync(url, w.Secretary)).Status);
        Assert.Equal(HttpStatusCode.OK, (await w.GetAsync(url, w.Member)).Status);
        foreach (var other in new[] { w.Other, w.StrangerSecretary, w.Staff })
        {
            var (status, problem) = await w.GetAsync(url, other);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Equal("auth.forbidden", MemberPartWorld.Code(problem));
        }
        Assert.Equal(HttpStatusCode.Conflict, (await w.GetAsync($"/api/mp/me/record?year={w.Year + 1}", w.Member)).Status);
    }

    [Fact]
    public async Task A_branch_s_stars_list_its_members_most_stars_first_on_the_h5_page_and_in_the_office_s_spreadsheet()
    {
        await w.World.BookMemberAsync(w.Other, 12, LedgerSources.Attendance, await MeetingAsync(0, (w.Other, "present")),
            app.Clock.GetUtcNow().AddMinutes(-1));

        var (status, list) = await w.GetAsync($"/api/mp/stars/{w.Branch}", w.Member);
        var (refused, _) = await w.GetAsync($"/api/mp/stars/{w.Branch}", w.Stranger);

        Assert.Equal(HttpStatusCode.OK, status);
        var members = list.GetProperty("members").EnumerateArray().ToList();
        var onRoll = await ScalarAsync("""
            SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.id = @branch
            WHERE o.path LIKE CONCAT(b.path, '%') AND m.status IN ('full', 'probationary')
            """, new { branch = w.Branch });
        Assert.Equal(onRoll, members.Count);
        Assert.Equal(w.Other, members[0].GetProperty("memberId").GetInt64());
        Assert.Equal(3, members[0].GetProperty("stars").GetInt32()); // 12 points: 3 stars by the thresholds 4, 10, 18, 28
        Assert.Equal(HttpStatusCode.Forbidden, refused);

        var client = app.CreateClient();
        var page = await client.GetAsync($"/h5/stars/{w.Branch}?token={await w.TokenAsync(w.Member)}", Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("星级党员", html);
        Assert.Contains("★★★☆☆", html);
        Assert.DoesNotContain("导出 Excel", html); // the export is the office's

        using var export = new HttpRequestMessage(HttpMethod.Get, $"/api/exports/stars.xlsx?scope={w.Branch}");
        export.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await w.TokenAsync(w.Staff));
        var file = await client.SendAsync(export, Ct);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        using var sheet = new MemoryStream(await file.Content.ReadAsByteArrayAsync(Ct));
        var rows = MiniExcel.Query(sheet, useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(onRoll, rows.Count);
        Assert.Equal(3d, Convert.ToDouble(rows[0]["星级"]));
        using var secretaryExport = new HttpRequestMessage(HttpMethod.Get, $"/api/exports/stars.xlsx?scope={w.Branch}");
        secretaryExport.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await w.TokenAsync(w.Secretary));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(secretaryExport, Ct)).StatusCode);
    }
}
