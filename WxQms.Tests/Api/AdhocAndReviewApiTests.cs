using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Api;

/// <summary>
/// Office staff issue an ad-hoc task to half the communities and cancel it; a secretary submits
/// evidence with photos uploaded one at a time; staff review it (approve with a bounded adjustment,
/// or return it). Signed in through the sandbox, over the real HTTP pipeline.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class AdhocAndReviewApiTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly HttpClient client = app.CreateClient();
    private readonly SandboxDriver wx = new(app);
    private Period month = null!;

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        month = await app.PlanMonthAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task An_ad_hoc_task_to_half_the_communities_adds_possible_points_only_there_and_cancelling_takes_it_all_back()
    {
        var staff = await SignInAsync(await HolderAsync("staff", "DFL"));
        var communities = (await QueryAsync<long>("SELECT id FROM orgs WHERE depth = 1 ORDER BY path")).ToList();
        var half = communities.Take(communities.Count / 2).ToList();
        var dueOn = Periods.LocalDate(app.Clock.GetUtcNow()).AddDays(10);
        var periodKey = $"{dueOn.Year}-{dueOn.Month:00}";
        var before = await PossibleByBranchAsync(periodKey);

        var issued = await SendAsync(HttpMethod.Post, "/api/mp/adhoc-tasks", staff, JsonContent.Create(new
        {
            title = "防汛安全排查", description = "排查辖区内低洼院落并上报台账", dueOn, points = 3m, minPhotos = 1,
            minutesRequired = true, orgIds = half,
        }));

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var adhocId = body.GetProperty("id").GetInt64();
        var receivers = (await QueryAsync<long>("""
            SELECT b.id FROM orgs b JOIN orgs c ON b.path LIKE CONCAT(c.path, '%')
            WHERE b.kind = 'branch' AND c.id IN @half
            """, new { half })).ToHashSet();
        Assert.Equal(receivers.Count, body.GetProperty("targetCount").GetInt32());
        Assert.Equal(periodKey, body.GetProperty("periodKey").GetString());
        var after = await PossibleByBranchAsync(periodKey);
        Assert.All(before.Keys, branch => Assert.Equal(before[branch] + (receivers.Contains(branch) ? 3m : 0m), after[branch]));
        Assert.True(receivers.Count > 0 && receivers.Count < before.Count);

        // One receiving branch does it; then the office withdraws the task.
        var receiver = receivers.Min();
        var secretary = await SignInAsync(await QuerySingleAsync<long>(
            "SELECT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id WHERE r.role = 'secretary' AND r.org_id = @receiver AND m.phone IS NOT NULL ORDER BY r.member_id LIMIT 1",
            new { receiver }));
        var taskId = await QuerySingleAsync<long>("SELECT id FROM tasks WHERE adhoc_task_id = @adhocId AND org_id = @receiver", new { adhocId, receiver });
        var photo = await UploadAsync(secretary, TestPng.Create(64, 48));
        var done = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{taskId}/evidence", secretary, JsonContent.Create(new
        {
            heldAt = app.Clock.GetUtcNow(), minutes = "已排查低洼院落3处", version = 1, photoTokens = new[] { photo },
        }));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("completed", (await done.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("task").GetProperty("state").GetString());
        Assert.Equal(3m, await QuerySingleAsync<decimal>("SELECT SUM(points) FROM points_ledger WHERE task_id = @taskId", new { taskId }));

        var noReason = await SendAsync(HttpMethod.Post, $"/api/mp/adhoc-tasks/{adhocId}/cancel", staff, JsonContent.Create(new { reason = " " }));
        var bySecretary = await SendAsync(HttpMethod.Post, $"/api/mp/adhoc-tasks/{adhocId}/cancel", secretary, JsonContent.Create(new { reason = "不需要了" }));
        // Who may cancel is asked before the reason: a caller who may not gets 403 whatever they send (issue #15's matrix).
        var bySecretaryNoReason = await SendAsync(HttpMethod.Post, $"/api/mp/adhoc-tasks/{adhocId}/cancel", secretary, JsonContent.Create(new { reason = " " }));
        var cancelled = await SendAsync(HttpMethod.Post, $"/api/mp/adhoc-tasks/{adhocId}/cancel", staff, JsonContent.Create(new { reason = "区里已统一组织排查" }));
        var twice = await SendAsync(HttpMethod.Post, $"/api/mp/adhoc-tasks/{adhocId}/cancel", staff, JsonContent.Create(new { reason = "再撤一次" }));

        Assert.Equal(HttpStatusCode.Conflict, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bySecretary.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bySecretaryNoReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        var detail = await cancelled.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(detail.GetProperty("cancelled").GetBoolean());
        Assert.Equal(receivers.Count, detail.GetProperty("stateCounts").GetProperty("cancelled").GetInt32());
        Assert.Equal(0m, await QuerySingleAsync<decimal>("SELECT SUM(points) FROM points_ledger WHERE task_id = @taskId", new { taskId }));
        Assert.Equal(before, await PossibleByBranchAsync(periodKey));
        Assert.Equal(receivers.Count, await QuerySingleAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'task.cancelled' AND entity_id IN (SELECT id FROM tasks WHERE adhoc_task_id = @adhocId)",
            new { adhocId }));
    }

    [Fact]
    public async Task Cancelling_an_ad_hoc_task_nets_every_copy_to_zero_whatever_it_went_through()
    {
        var staff = await SignInAsync(await HolderAsync("staff", "DFL"));
        var communities = (await QueryAsync<long>("SELECT id FROM orgs WHERE depth = 1 ORDER BY path")).ToList();
        var dueOn = Periods.LocalDate(app.Clock.GetUtcNow()).AddDays(2);
        var periodKey = $"{dueOn.Year}-{dueOn.Month:00}";
        var before = await PossibleByBranchAsync(periodKey);

        // Due in two days: some copies are done (and reviewed) before, the rest pass their due time.
        var adhocId = await IssueAdhocAsync(staff, communities, dueOn);
        var copies = (await QueryAsync<(long Task, long Secretary)>("""
            SELECT t.id, MIN(r.member_id) FROM tasks t JOIN member_roles r ON r.org_id = t.org_id AND r.role = 'secretary'
            JOIN members m ON m.id = r.member_id AND m.phone IS NOT NULL
            WHERE t.adhoc_task_id = @adhocId GROUP BY t.id ORDER BY t.id LIMIT 8
            """, new { adhocId })).ToList();
        Assert.Equal(8, copies.Count);
        var t = copies.Select(c => c.Task).ToArray();
        var tokens = new Dictionary<long, string>();
        async Task<string> As(int i) => tokens.TryGetValue(i, out var token) ? token : tokens[i] = await SignInAsync(copies[i].Secretary);

        // 0 stays open; 1 completed, unreviewed; 2 approved with a bonus; 3 returned by the reviewer;
        // 4 fails the judgment (no minutes); 5 returned by the reviewer and resubmitted.
        foreach (var i in new[] { 1, 2, 3, 5 })
            AssertState("completed", await SubmitAdhocAsync(await As(i), t[i], minutes: true));
        AssertState("returned", await SubmitAdhocAsync(await As(4), t[4], minutes: false));
        Assert.Equal(HttpStatusCode.OK, (await ReviewAsync(staff, t[2], new
        {
            decision = "approve", adjustment = 0.6m, reason = "排查台账完整", version = await VersionAsync(staff, t[2]),
        })).StatusCode);
        foreach (var i in new[] { 3, 5 })
            Assert.Equal(HttpStatusCode.OK, (await ReviewAsync(staff, t[i], new
            {
                decision = "return", reason = "台账缺少照片说明", version = await VersionAsync(staff, t[i]),
            })).StatusCode);
        AssertState("completed", await SubmitAdhocAsync(await As(5), t[5], minutes: true));

        // Past due: the open copies are marked overdue (a deduction); 6 then reports what it did in time, late; 7 stays overdue.
        var heldInTime = app.Clock.GetUtcNow();
        app.Clock.SetUtcNow(app.Clock.GetUtcNow().AddDays(3));
        tokens.Clear();
        staff = await SignInAsync(await HolderAsync("staff", "DFL"));
        await app.Get<OverdueMarker>().MarkDueAsync(app.Clock.GetUtcNow(), Ct);
        AssertState("completed", await SubmitAdhocAsync(await As(6), t[6], minutes: true, heldInTime));

        var states = await QueryAsync<(long, string, string?)>("SELECT id, state, review_status FROM tasks WHERE id IN @t ORDER BY id", new { t });
        Assert.Equal(
            [("overdue", null), ("completed", "awaiting"), ("completed", "approved"), ("overdue", null), ("overdue", null),
             ("completed", "awaiting"), ("completed", "awaiting"), ("overdue", null)],
            states.Select(s => (s.Item2, s.Item3)).ToArray());
        var sources = (await QueryAsync<string>("SELECT DISTINCT source FROM points_ledger WHERE task_id IN @t", new { t })).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            LedgerSources.Completed, LedgerSources.CompletedLate, LedgerSources.Attendance, LedgerSources.Review,
            LedgerSources.ReviewReturned, LedgerSources.Overdue, LedgerSources.OverdueReversed,
        }, sources);

        var cancelled = await SendAsync(HttpMethod.Post, $"/api/mp/adhoc-tasks/{adhocId}/cancel", staff, JsonContent.Create(new { reason = "区里已统一组织排查" }));

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Empty(await QueryAsync<(long, string, long, decimal)>("""
            SELECT task_id, subject_type, subject_id, SUM(points) FROM points_ledger
            WHERE task_id IN (SELECT id FROM tasks WHERE adhoc_task_id = @adhocId)
            GROUP BY task_id, subject_type, subject_id HAVING SUM(points) <> 0
            """, new { adhocId }));
        Assert.Equal(0, await QuerySingleAsync<long>(
            "SELECT COUNT(*) FROM tasks WHERE adhoc_task_id = @adhocId AND state <> 'cancelled'", new { adhocId }));
        Assert.Equal(before, await PossibleByBranchAsync(periodKey));
    }

    [Fact]
    public async Task Rankings_follow_submissions_reviews_and_returns_made_through_the_api()
    {
        var community = await QuerySingleAsync<(long Id, string Code)>("SELECT id, code FROM orgs WHERE code = 'DFL-C08'");
        var branches = (await QueryAsync<string>("""
            SELECT o.code FROM orgs o WHERE o.parent_id = @Id AND o.kind = 'branch' ORDER BY o.code LIMIT 3
            """, new { community.Id })).ToList();
        Assert.Equal(3, branches.Count);
        var done = new List<long>();
        foreach (var code in branches)
            done.Add(await PlanThemePartyDayAsync(await SignInAsync(await HolderAsync("secretary", code))));
        MeetingDayIsOver();
        foreach (var (code, taskId) in branches.Zip(done))
            await SubmitAsync(await SignInAsync(await HolderAsync("secretary", code)), taskId, version: 2);
        var staff = await SignInAsync(await HolderAsync("staff", "DFL"));

        // The first approved with the largest bonus, the second returned, the third left as completed.
        var approved = await ReviewAsync(staff, done[0], new
        {
            decision = "approve", adjustment = 0.3m, reason = "记录翔实", version = await VersionAsync(staff, done[0]),
        });
        var returned = await ReviewAsync(staff, done[1], new
        {
            decision = "return", reason = "照片与会议记录不符", version = await VersionAsync(staff, done[1]),
        });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);

        await app.LetPeriodEndAsync(month); // read once the month's tasks have all fallen due, no ranking cached before
        staff = await SignInAsync(await HolderAsync("staff", "DFL"));
        var ranking = await GetAsync($"/api/rankings?period={month.Key}&level=branch&scope={community.Id}", staff);

        var rows = ranking.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("orgId").GetInt64(), r => (Rank: r.GetProperty("rank").GetInt32(), Earned: r.GetProperty("earned").GetDecimal()));
        var ids = new List<long>();
        foreach (var code in branches)
            ids.Add(await QuerySingleAsync<long>("SELECT id FROM orgs WHERE code = @code", new { code }));
        Assert.Equal((1, 1.8m), rows[ids[0]]);
        Assert.Equal((2, 1.5m), rows[ids[2]]);
        Assert.Equal(0m, rows[ids[1]].Earned);
        Assert.True(rows[ids[1]].Rank > 2);
        Assert.All(rows.Where(r => !ids.Contains(r.Key)), r => Assert.Equal(0m, r.Value.Earned));
    }

    [Fact]
    public async Task A_community_issues_only_within_itself_and_a_branch_secretary_issues_nothing()
    {
        var c01 = await QuerySingleAsync<long>("SELECT id FROM orgs WHERE code = 'DFL-C01'");
        var c02 = await QuerySingleAsync<long>("SELECT id FROM orgs WHERE code = 'DFL-C02'");
        var community = await SignInAsync(await HolderAsync("secretary", "DFL-C01"));
        var branchSecretary = await SignInAsync(await HolderAsync("secretary", "DFL-C01-B01"));
        var dueOn = Periods.LocalDate(app.Clock.GetUtcNow()).AddDays(7);
        object Body(long orgId, string title = "整理党员档案") => new { title, dueOn, points = 2m, orgIds = new[] { orgId } };

        var own = await SendAsync(HttpMethod.Post, "/api/mp/adhoc-tasks", community, JsonContent.Create(Body(c01)));
        var other = await SendAsync(HttpMethod.Post, "/api/mp/adhoc-tasks", community, JsonContent.Create(Body(c02)));
        var bySecretary = await SendAsync(HttpMethod.Post, "/api/mp/adhoc-tasks", branchSecretary, JsonContent.Create(Body(c01)));
        var untitled = await SendAsync(HttpMethod.Post, "/api/mp/adhoc-tasks", community, JsonContent.Create(Body(c01, title: "")));
        var unknownOrg = await SendAsync(HttpMethod.Post, "/api/mp/adhoc-tasks", community, JsonContent.Create(Body(999_999)));

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bySecretary.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, untitled.StatusCode);
        Assert.Contains("标题", (await untitled.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknownOrg.StatusCode);
        var targets = (await own.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("targets").EnumerateArray()
            .Select(t => t.GetProperty("orgId").GetInt64()).ToList();
        var c01Branches = await QueryAsync<long>("SELECT id FROM orgs WHERE kind = 'branch' AND path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @c01)", new { c01 });
        Assert.Equal(c01Branches.Order(), targets.Order());
        // The community's own list shows it; the branch secretary has no ad-hoc list.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/api/mp/adhoc-tasks", branchSecretary)).StatusCode);
        var list = await (await SendAsync(HttpMethod.Get, "/api/mp/adhoc-tasks", community)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("整理党员档案", list[0].GetProperty("title").GetString());
    }

    [Fact]
    public async Task Staff_approve_once_within_the_bound_and_the_branch_cannot_review_itself()
    {
        var (taskId, secretary) = await CompleteThemePartyDayAsync();
        var staff = await SignInAsync(await HolderAsync("staff", "DFL"));

        var queue = await GetAsync($"/api/mp/tasks?awaitingReview=true", staff);
        var summary = await GetAsync("/api/mp/tasks/summary", staff);
        Assert.Contains(queue.EnumerateArray(), t => t.GetProperty("id").GetInt64() == taskId);
        Assert.Equal(1, summary.GetProperty("awaitingReview").GetInt32());
        var task = await GetAsync($"/api/mp/tasks/{taskId}", staff);
        var version = task.GetProperty("version").GetInt32();
        var bound = task.GetProperty("maxReviewAdjustment").GetDecimal();
        Assert.Equal(0.3m, bound); // 20 % of the theme party day's 1.5 points

        var selfReview = await ReviewAsync(secretary, taskId, new { decision = "approve", adjustment = 0m, version });
        var tooMuch = await ReviewAsync(staff, taskId, new { decision = "approve", adjustment = 0.5m, reason = "很好", version });
        var unexplained = await ReviewAsync(staff, taskId, new { decision = "approve", adjustment = 0.2m, version });
        var approved = await ReviewAsync(staff, taskId, new { decision = "approve", adjustment = 0.3m, reason = "记录翔实，照片清晰", version });
        var again = await ReviewAsync(staff, taskId, new { decision = "return", reason = "再看看", version = version + 1 });

        Assert.Equal(HttpStatusCode.Forbidden, selfReview.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        Assert.Equal("review.adjustment_refused", await CodeAsync(tooMuch));
        Assert.Equal(HttpStatusCode.Conflict, unexplained.StatusCode);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("approved", (await approved.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reviewStatus").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(0.3m, await QuerySingleAsync<decimal>(
            "SELECT points FROM points_ledger WHERE task_id = @taskId AND source = 'task.review'", new { taskId }));
        Assert.Equal(0, (await GetAsync("/api/mp/tasks/summary", staff)).GetProperty("awaitingReview").GetInt32());
        var history = (await GetAsync($"/api/mp/tasks/{taskId}", staff)).GetProperty("history").EnumerateArray()
            .Select(h => h.GetProperty("action").GetString()).ToList();
        Assert.Equal(["task.planned", "task.submitted", "task.completed", "task.approved"], history);
    }

    [Fact]
    public async Task A_returned_task_gives_back_its_points_and_attendance_until_it_is_resubmitted()
    {
        var (taskId, secretary) = await CompleteThemePartyDayAsync();
        var staff = await SignInAsync(await HolderAsync("staff", "DFL"));
        var version = (await GetAsync($"/api/mp/tasks/{taskId}", staff)).GetProperty("version").GetInt32();

        var noReason = await ReviewAsync(staff, taskId, new { decision = "return", version });
        var returned = await ReviewAsync(staff, taskId, new { decision = "return", reason = "照片与会议记录不符，请补充", version });

        Assert.Equal(HttpStatusCode.Conflict, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);
        Assert.Equal("returned", (await returned.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("state").GetString());
        Assert.Equal(0m, await LedgerSumAsync(taskId, "org"));
        Assert.Equal(0m, await LedgerSumAsync(taskId, "member"));

        var resubmitted = await SubmitAsync(secretary, taskId, version + 1);
        Assert.Equal("completed", resubmitted.GetProperty("task").GetProperty("state").GetString());
        Assert.Equal(1.5m, await LedgerSumAsync(taskId, "org"));
        Assert.Equal(await RosterCountAsync(taskId), await LedgerSumAsync(taskId, "member"));
    }

    [Fact]
    public async Task Uploaded_photos_are_checked_by_content_and_a_token_is_spent_by_its_submission()
    {
        var token = await SignInAsync(await HolderAsync("secretary", "DFL-C03-B01"));

        var exe = await UploadRawAsync(token, [0x4D, 0x5A, 0x90, 0x00, 3, 0, 0, 0], "合影.jpg");
        var truncated = await UploadRawAsync(token, TestPng.Create(40, 30)[..60], "截断.png");
        var tooBig = await UploadRawAsync(token, new byte[(int)PhotoIntake.MaxBytes + 10], "大图.jpg");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, exe.StatusCode);
        Assert.Equal("upload.not_image", await CodeAsync(exe));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, truncated.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);

        (var taskId, token) = await CompleteThemePartyDayAsync();
        var other = await SignInAsync(await HolderAsync("secretary", "DFL-C03-B02"));
        var usedToken = (await QueryAsync<string>("SELECT token FROM uploads WHERE used_at IS NOT NULL")).First();
        var fresh = await UploadAsync(token, TestPng.Create(70, 50));
        var someoneElses = await UploadAsync(other, TestPng.Create(71, 50));
        var returnBody = await ReviewAsync(await SignInAsync(await HolderAsync("staff", "DFL")), taskId,
            new { decision = "return", reason = "补充照片", version = 3 });
        Assert.Equal(HttpStatusCode.OK, returnBody.StatusCode);

        var reused = await SubmitRawAsync(token, taskId, 4, [usedToken]);
        var stolen = await SubmitRawAsync(token, taskId, 4, [someoneElses]);
        var ok = await SubmitRawAsync(token, taskId, 4, [fresh]);

        Assert.Equal("upload.used", await CodeAsync(reused));
        Assert.Equal("upload.unknown", await CodeAsync(stolen));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task The_roster_lists_a_branch_without_phone_numbers_and_only_to_those_who_may_read_it()
    {
        var branch = await QuerySingleAsync<long>("SELECT id FROM orgs WHERE code = 'DFL-C03-B01'");
        var secretary = await SignInAsync(await HolderAsync("secretary", "DFL-C03-B01"));
        var outsider = await SignInAsync(await HolderAsync("secretary", "DFL-C05-B01"));

        var roster = await SendAsync(HttpMethod.Get, $"/api/mp/orgs/{branch}/members", secretary);
        var refused = await SendAsync(HttpMethod.Get, $"/api/mp/orgs/{branch}/members", outsider);

        Assert.Equal(HttpStatusCode.OK, roster.StatusCode);
        var text = await roster.Content.ReadAsStringAsync(Ct);
        var members = JsonDocument.Parse(text).RootElement;
        Assert.Equal(await QuerySingleAsync<long>(
            "SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @branch)",
            new { branch }), members.GetArrayLength());
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "secretary"));
        Assert.DoesNotContain("phone", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /// <summary>Plans and completes next month's theme party day of DFL-C03-B01 with three uploaded photos.</summary>
    private async Task<(long TaskId, string Secretary)> CompleteThemePartyDayAsync()
    {
        var secretaryId = await HolderAsync("secretary", "DFL-C03-B01");
        var token = await SignInAsync(secretaryId);
        var list = await GetAsync($"/api/mp/tasks?period={month.Key}", token);
        var taskId = list.EnumerateArray().Single(t => t.GetProperty("templateCode").GetString() == TaskCodes.ThemePartyDay)
            .GetProperty("id").GetInt64();
        var day20 = new DateTimeOffset(month.LastDay.Year, month.LastDay.Month, 20, 14, 0, 0, TimeSpan.FromHours(8));
        var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{taskId}/plan", token,
            JsonContent.Create(new { plannedFor = day20, place = "社区党群服务中心", topic = "志愿服务进楼院", version = 1 }));
        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        if (app.Clock.GetUtcNow() < day20.AddHours(3))
            app.Clock.SetUtcNow(day20.AddHours(3));
        token = await SignInAsync(secretaryId); // weeks later: the 2-hour token has expired
        var submitted = await SubmitAsync(token, taskId, version: 2);
        Assert.Equal("completed", submitted.GetProperty("task").GetProperty("state").GetString());
        Assert.Equal("awaiting", submitted.GetProperty("task").GetProperty("reviewStatus").GetString());
        return (taskId, token);
    }

    /// <summary>An ad-hoc task to <paramref name="orgIds"/> worth 3 points (1 off when late, 1.5 when missed), with minutes, attendance and a photo.</summary>
    private async Task<long> IssueAdhocAsync(string staff, IReadOnlyList<long> orgIds, DateOnly dueOn)
    {
        var issued = await SendAsync(HttpMethod.Post, "/api/mp/adhoc-tasks", staff, JsonContent.Create(new
        {
            title = "防汛安全排查", description = "排查辖区内低洼院落并上报台账", dueOn, points = 3m, lateDeduction = 1m, overdueDeduction = 1.5m,
            minPhotos = 1, minutesRequired = true, attendanceRequired = true, orgIds,
        }));
        Assert.True(issued.StatusCode == HttpStatusCode.Created, await issued.Content.ReadAsStringAsync(Ct));
        return (await issued.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    /// <summary>Submits an ad-hoc copy with one photo, the branch present, and minutes or none (which the judgment returns).</summary>
    private async Task<JsonElement> SubmitAdhocAsync(string token, long taskId, bool minutes, DateTimeOffset? heldAt = null)
    {
        var roster = await QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = (SELECT org_id FROM tasks WHERE id = @taskId))
              AND m.status IN ('full', 'probationary')
            """, new { taskId });
        var photo = await UploadAsync(token, TestPng.Create(60 + (int)(taskId % 100), 48));
        var response = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{taskId}/evidence", token, JsonContent.Create(new
        {
            heldAt = heldAt ?? app.Clock.GetUtcNow(), minutes = minutes ? "已排查低洼院落3处" : null, version = await VersionAsync(token, taskId),
            attendance = roster.Select(id => new { memberId = id, presence = "present" }), photoTokens = new[] { photo },
        }));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static void AssertState(string expected, JsonElement submission) =>
        Assert.True(expected == submission.GetProperty("task").GetProperty("state").GetString(), submission.ToString());

    private async Task<int> VersionAsync(string token, long taskId) =>
        (await GetAsync($"/api/mp/tasks/{taskId}", token)).GetProperty("version").GetInt32();

    /// <summary>Plans next month's theme party day of the secretary's branch for the 20th; its task id.</summary>
    private async Task<long> PlanThemePartyDayAsync(string token)
    {
        var list = await GetAsync($"/api/mp/tasks?period={month.Key}", token);
        var taskId = list.EnumerateArray().Single(t => t.GetProperty("templateCode").GetString() == TaskCodes.ThemePartyDay)
            .GetProperty("id").GetInt64();
        var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{taskId}/plan", token,
            JsonContent.Create(new { plannedFor = MeetingDay, place = "社区党群服务中心", topic = "志愿服务进楼院", version = 1 }));
        Assert.True(planned.StatusCode == HttpStatusCode.OK, await planned.Content.ReadAsStringAsync(Ct));
        return taskId;
    }

    private DateTimeOffset MeetingDay => new(month.LastDay.Year, month.LastDay.Month, 20, 14, 0, 0, TimeSpan.FromHours(8));

    /// <summary>The shared clock moves on to three hours after the meeting (tokens signed in before have expired).</summary>
    private void MeetingDayIsOver()
    {
        if (app.Clock.GetUtcNow() < MeetingDay.AddHours(3))
            app.Clock.SetUtcNow(MeetingDay.AddHours(3));
    }

    private async Task<JsonElement> SubmitAsync(string token, long taskId, int version)
    {
        var tokens = new List<string>();
        for (var i = 0; i < 3; i++)
            tokens.Add(await UploadAsync(token, TestPng.Create(50 + i + version * 3, 40)));
        var response = await SubmitRawAsync(token, taskId, version, tokens);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<HttpResponseMessage> SubmitRawAsync(string token, long taskId, int version, IReadOnlyList<string> photoTokens)
    {
        var roster = await QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = (SELECT org_id FROM tasks WHERE id = @taskId))
              AND m.status IN ('full', 'probationary')
            """, new { taskId });
        return await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{taskId}/evidence", token, JsonContent.Create(new
        {
            heldAt = app.Clock.GetUtcNow().AddHours(-2), place = "社区党群服务中心", topic = "志愿服务进楼院",
            minutes = "活动记录：清理楼道、走访独居老人……", version,
            attendance = roster.Select(id => new { memberId = id, presence = "present" }), photoTokens,
        }));
    }

    private async Task<string> UploadAsync(string token, byte[] bytes)
    {
        var response = await UploadRawAsync(token, bytes, "photo.png");
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
    }

    private Task<HttpResponseMessage> UploadRawAsync(string token, byte[] bytes, string name)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes) { Headers = { ContentType = new("image/jpeg") } }, "file", name } };
        return SendAsync(HttpMethod.Post, "/api/mp/uploads", token, form);
    }

    private Task<HttpResponseMessage> ReviewAsync(string token, long taskId, object body) =>
        SendAsync(HttpMethod.Post, $"/api/mp/tasks/{taskId}/review", token, JsonContent.Create(body));

    private async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString();

    private static Task<decimal> LedgerSumAsync(long taskId, string subjectType) => QuerySingleAsync<decimal>(
        "SELECT COALESCE(SUM(points), 0) FROM points_ledger WHERE task_id = @taskId AND subject_type = @subjectType", new { taskId, subjectType });

    private static async Task<decimal> RosterCountAsync(long taskId) => await QuerySingleAsync<long>("""
        SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = (SELECT org_id FROM tasks WHERE id = @taskId))
          AND m.status IN ('full', 'probationary')
        """, new { taskId });

    /// <summary>Each branch's possible points in a period: its tasks due there, cancelled ones left out.</summary>
    private static async Task<Dictionary<long, decimal>> PossibleByBranchAsync(string periodKey) =>
        (await QueryAsync<(long, decimal)>("""
            SELECT o.id, COALESCE(SUM(CASE WHEN t.state <> 'cancelled' THEN t.possible_points END), 0)
            FROM orgs o LEFT JOIN tasks t ON t.org_id = o.id AND t.period_key = @periodKey
            WHERE o.kind = 'branch'
            GROUP BY o.id
            """, new { periodKey })).ToDictionary(r => r.Item1, r => r.Item2);

    private Task<JsonElement> GetAsync(string url, string token) => client.GetJsonAsync(url, token);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, HttpContent? content = null) =>
        client.SendAsync(method, url, token, content);

    private static Task<long> HolderAsync(string role, string orgCode) => Seeded.HolderWithPhoneAsync(role, orgCode);

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null) =>
        (await TestDb.QueryAsync<T>(sql, param)).ToList();

    private static Task<T> QuerySingleAsync<T>(string sql, object? param = null) => TestDb.QuerySingleAsync<T>(sql, param);

    private Task<string> SignInAsync(long memberId) => wx.SignInMemberAsync(client, memberId);
}
