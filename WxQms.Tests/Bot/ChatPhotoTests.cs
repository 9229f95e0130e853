using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Storage;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Bot;

/// <summary>
/// A clean database with the demo subdistrict and its plan around the shared clock (which other classes
/// move on): the years of the last weeks, of today and of the coming weeks, once per class.
/// </summary>
public sealed class PlannedSubdistrict(WxQmsApp app) : IAsyncLifetime
{
    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        var now = app.Clock.GetUtcNow();
        foreach (var year in new[] { now.AddDays(-40), now, now.AddDays(40) }.Select(t => Periods.LocalDate(t).Year).Distinct())
            await app.Get<PlanService>().GenerateYearAsync(year, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Photos from the chat and the menu, end to end through the sandbox: a bound secretary sends photos,
/// WeChat gets its answers within the deadline, the burst is settled after the acknowledgement, and the
/// outcome arrives as a customer-service message; the photos then show on the task in the mini-program API.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ChatPhotoTests(WxQmsApp app, PlannedSubdistrict planned) : IClassFixture<PlannedSubdistrict>, IAsyncLifetime
{
    private readonly BotWorld world = new(app);
    private SandboxDriver wx => world.Wx;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Assert.NotNull(planned);
        await world.ForgetAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Office staff print the org's code and the person binds with it; returns the person.</summary>
    private async Task<Person> BoundAsync(string role, string orgKind, int skip = 0)
    {
        var person = await world.WithRoleAsync(role, orgKind, skip);
        var staff = await world.WithRoleAsync(Roles.Staff, "subdistrict");
        var (_, url, _) = await world.PrintCodeAsync(await wx.SignInMemberAsync(world.Http, staff.MemberId), person.OrgId);
        wx.Sandbox.Users.SetFollows(person.OpenId, true);
        await world.BindAsync(person, url);
        return person;
    }

    [Fact]
    public async Task Two_photos_with_no_task_in_hand_get_a_numbered_list_and_the_chosen_task_shows_them_in_the_mini_program()
    {
        var secretary = await BoundAsync(Roles.Secretary, "branch");

        var first = await world.SendPhotoAsync(secretary, BotWorld.Jpeg(11));
        var second = await world.SendPhotoAsync(secretary, BotWorld.Jpeg(12));
        await world.AfterTheBurstAsync();
        var question = Assert.Single(await world.CustomerServiceTextsAsync(secretary));
        var chosen = await world.SayAsync(secretary, "2");

        Assert.Equal(BotReplies.PhotoReceived, BotWorld.Reply(first));
        Assert.Equal("acknowledged", second.Str("outcome")); // one answer per burst, not one per photo
        Assert.StartsWith("收到2张照片。请问归入哪个任务？", question);
        Assert.Contains("\n2. ", question);
        Assert.StartsWith("已将2张照片归入", chosen);
        Assert.Contains("还需补充：地点、主题、考勤（参会人员）、会议记录。", chosen);
        Assert.Contains("data-miniprogram-path=\"pages/evidence/index?id=", chosen);

        var taskId = await TestDb.ScalarAsync("SELECT task_id FROM chat_photo_sets WHERE status = 'attached'");
        var token = await wx.SignInMemberAsync(world.Http, secretary.MemberId);
        var task = await world.GetAsync($"/api/mp/tasks/{taskId}", token);
        var photos = task.GetProperty("chatPhotos").EnumerateArray().ToList();
        Assert.Equal(2, photos.Count);
        Assert.All(photos, p => Assert.Equal("chat", p.Str("source")));
        Assert.Equal(secretary.Name, photos[0].Str("sentBy"));
        using var request = new HttpRequestMessage(HttpMethod.Get, photos[0].Str("url"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var image = await world.Http.SendAsync(request, Ct);
        Assert.Equal(BotWorld.Jpeg(11), await image.Content.ReadAsByteArrayAsync(Ct));
        Assert.Contains(task.GetProperty("history").EnumerateArray(), h => h.Str("action") == "task.chat_photos_added");
    }

    [Fact]
    public async Task A_burst_of_nine_photos_becomes_one_set_on_the_task_she_last_acted_on_without_asking()
    {
        var secretary = await BoundAsync(Roles.Secretary, "branch");
        await world.SendPhotoAsync(secretary, BotWorld.Jpeg(20));
        await world.AfterTheBurstAsync();
        await world.SayAsync(secretary, "1"); // now that task is the one in hand

        var answers = new List<JsonElement>();
        for (var i = 0; i < 9; i++)
            answers.Add(await world.SendPhotoAsync(secretary, BotWorld.Jpeg(30 + i)));
        await world.AfterTheBurstAsync();

        Assert.Equal(BotReplies.PhotoReceived, BotWorld.Reply(answers[0]));
        Assert.All(answers.Skip(1), a => Assert.Equal("acknowledged", a.Str("outcome")));
        var texts = await world.CustomerServiceTextsAsync(secretary);
        Assert.Equal(2, texts.Length); // the first burst's question, and this burst's confirmation
        Assert.StartsWith("已将9张照片归入", texts[1]);
        Assert.Contains("该任务现有聊天照片10张", texts[1]);
        Assert.Equal(2, await TestDb.ScalarAsync("SELECT COUNT(*) FROM chat_photo_sets"));
        Assert.Equal(9, await TestDb.ScalarAsync("SELECT MAX(photo_count) FROM chat_photo_sets"));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(DISTINCT task_id) FROM chat_photo_sets"));
        Assert.Equal(10, await TestDb.ScalarAsync("SELECT COUNT(*) FROM task_chat_photos"));
    }

    [Fact]
    public async Task A_photo_delivered_three_times_in_compatible_mode_joins_its_burst_once_and_gets_the_same_answer()
    {
        var secretary = await BoundAsync(Roles.Secretary, "branch", skip: 1);
        var mediaId = await UploadAsync(secretary, BotWorld.Jpeg(40));
        var pusher = new WechatPusher(app);
        var xml = WechatPusher.Image(secretary.OpenId, mediaId, 77_000_001, pusher.Now);

        var answers = new[]
        {
            await pusher.PushAsync(xml, PushMode.Compatible),
            await pusher.PushAsync(xml, PushMode.Compatible),
            await pusher.PushAsync(xml, PushMode.Compatible),
        };

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Reply).Distinct());
        Assert.Contains(BotReplies.PhotoReceived, answers[0].Reply);
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT COUNT(*) FROM chat_photos"));
        Assert.Equal(1, await TestDb.ScalarAsync("SELECT photo_count FROM chat_photo_sets"));
    }

    [Fact]
    public async Task A_plan_reported_in_the_mini_program_makes_its_task_the_one_in_hand_and_its_chat_photos_go_into_the_evidence()
    {
        var secretary = await BoundAsync(Roles.Secretary, "branch", skip: 2);
        var token = await wx.SignInMemberAsync(world.Http, secretary.MemberId);
        // An open meeting that takes photos and still has room for a plan 8 days ahead (the most any duty asks).
        var now = app.Clock.GetUtcNow();
        var meetings = TaskCatalogue.Default.InForce(Periods.LocalDate(now))
            .Where(t => t.PlanRule.Required && t.EvidenceRule.MinPhotos > 0).Select(t => t.Code).ToArray();
        var taskId = await TestDb.ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE id = @branch), '%')
              AND t.template_code IN @meetings AND t.state = 'pending' AND t.opens_at <= @now AND t.due_at > @later
            ORDER BY t.due_at, t.id LIMIT 1
            """, new { branch = secretary.OrgId, meetings, now = now.UtcDateTime, later = now.AddDays(9).UtcDateTime });
        var before = await world.GetAsync($"/api/mp/tasks/{taskId}", token);
        using (var plan = new HttpRequestMessage(HttpMethod.Put, $"/api/mp/tasks/{taskId}/plan")
               {
                   Content = JsonContent.Create(new
                   {
                       plannedFor = now.AddDays(8), place = "社区会议室", topic = "学习党章",
                       version = before.GetProperty("version").GetInt32(),
                   }),
               })
        {
            plan.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var planned = await world.Http.SendAsync(plan, Ct);
            Assert.True(planned.IsSuccessStatusCode, await planned.Content.ReadAsStringAsync(Ct));
        }

        await world.SendPhotoAsync(secretary, BotWorld.Jpeg(50));
        await world.SendPhotoAsync(secretary, BotWorld.Jpeg(51));
        await world.AfterTheBurstAsync();

        var confirmation = Assert.Single(await world.CustomerServiceTextsAsync(secretary));
        Assert.StartsWith("已将2张照片归入", confirmation); // no question: she had just acted on it
        Assert.Contains($"pages/evidence/index?id={taskId}", confirmation);
        var task = await world.GetAsync($"/api/mp/tasks/{taskId}", token);
        var hashes = task.GetProperty("chatPhotos").EnumerateArray().Select(p => p.Str("sha256")).ToArray();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/mp/tasks/{taskId}/evidence")
        {
            Content = JsonContent.Create(new
            {
                heldAt = app.Clock.GetUtcNow().AddHours(-1), place = "社区会议室", topic = "学习", minutes = "会议记录",
                version = task.GetProperty("version").GetInt32(), chatPhotos = hashes,
            }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var submitted = await world.Http.SendAsync(request, Ct);
        var after = await world.GetAsync($"/api/mp/tasks/{taskId}", token);

        Assert.True(submitted.StatusCode == HttpStatusCode.OK, await submitted.Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, after.GetProperty("evidence")[0].GetProperty("photoCount").GetInt32());
        Assert.Equal(hashes.Order(), after.GetProperty("photos").EnumerateArray().Select(p => p.Str("sha256")).Order());
        Assert.Empty(after.GetProperty("chatPhotos").EnumerateArray());
    }

    [Fact]
    public async Task A_plain_member_s_photo_is_kept_out_of_tasks_with_a_polite_answer()
    {
        var member = await BoundAsync(Roles.Member, "branch", skip: 5);

        var answer = await world.SendPhotoAsync(member, BotWorld.Jpeg(60));

        Assert.Equal(BotReplies.PhotoNotOrganiser, BotWorld.Reply(answer));
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM chat_photo_sets"));
    }

    [Fact]
    public async Task The_menu_is_built_from_configuration_with_oauth_links_and_pushed_with_menu_create()
    {
        // The menu the Jobs host ships with (WxQms.Jobs/appsettings.json), as `WxQms.Jobs menus` reads it.
        var options = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddJsonFile(Path.Combine(TestEnvironment.RepoRoot(), "WxQms.Jobs", "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bot:PublicBase"] = "http://localhost" })
            .Build().GetSection(BotOptions.Section).Get<BotOptions>()!;
        var publisher = new MenuPublisher(app.Get<WxQms.Domain.Wechat.OfficialAccountClient>(), Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MenuPublisher>.Instance);

        var result = await publisher.PublishAsync(Ct);
        var menu = await wx.GetJsonAsync("/sandbox/wechat/menu?app=oa");

        Assert.True(result.IsOk, result.ErrMsg);
        var buttons = menu.GetProperty("button").EnumerateArray().ToList();
        Assert.Equal(["任务", "排名", "社区"], buttons.Select(b => b.Str("name")));
        var tasks = buttons[0].GetProperty("sub_button").EnumerateArray().ToList();
        Assert.Equal(["我的任务", "工作台"], tasks.Select(b => b.Str("name")));
        Assert.Equal(["MY_TASKS", "WORKBENCH"], tasks.Select(b => b.Str("key")));
        // The menu everyone sees has no 管理后台: the console's link comes in 工作台's answer, to those who may use it.
        Assert.DoesNotContain("/h5/admin", menu.ToString());
        var ranking = buttons[1].Str("url");
        Assert.StartsWith("http://localhost/sandbox/open/connect/oauth2/authorize?appid=" + WxQmsApp.OaAppId, ranking);
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString("http://localhost/h5/ranking"), ranking);
        Assert.Contains("scope=snsapi_base", ranking);
        // 社区: the showcase (最in社区, public) and the wish wall.
        var community = buttons[2].GetProperty("sub_button").EnumerateArray().ToList();
        Assert.Equal(["最in社区", "微心愿"], community.Select(b => b.Str("name")));
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString("http://localhost/h5/communities"), community[0].Str("url"));
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString("http://localhost/h5/wishes"), community[1].Str("url"));
    }

    [Fact]
    public async Task The_workbench_shows_office_staff_the_subdistrict_a_secretary_her_branch_and_refuses_a_member()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        var secretary = await BoundAsync(Roles.Secretary, "branch");
        var member = await BoundAsync(Roles.Member, "branch", skip: 5);
        var queries = app.Get<TaskQueries>();
        var orgs = app.Get<OrgStore>();

        var staffView = await world.TapAsync(staff, BotMenuKeys.Workbench);
        var secretaryView = await world.TapAsync(secretary, BotMenuKeys.Workbench);
        var memberView = await world.TapAsync(member, BotMenuKeys.Workbench);
        var tasks = await world.TapAsync(member, BotMenuKeys.MyTasks);

        var (all, _) = await queries.SummaryAsync(OrgPath.Root, app.Clock.GetUtcNow(), Ct);
        var (branch, _) = await queries.SummaryAsync((await orgs.GetAsync(secretary.OrgId, Ct))!.Path, app.Clock.GetUtcNow(), Ct);
        Assert.StartsWith($"工作台 · {staff.OrgName}", staffView);
        Assert.Contains($"逾期：{all.Overdue}项\n预警（3天内到期）：{all.Warned}项\n待审核：{all.AwaitingReview}项", staffView);
        Assert.True(all.Overdue > branch.Overdue && branch.Overdue > 0);
        Assert.StartsWith($"工作台 · {secretary.OrgName}", secretaryView);
        Assert.Contains($"逾期：{branch.Overdue}项\n预警（3天内到期）：{branch.Warned}项\n待审核：{branch.AwaitingReview}项", secretaryView);
        Assert.Equal(BotReplies.WorkbenchRefused, memberView);
        // 管理后台 for those the console lets in (its page signs them in through web OAuth), and for nobody else.
        var console = "\n" + app.Get<BotLinks>().Page("/h5/admin", BotReplies.ConsoleLink);
        Assert.EndsWith(console, staffView);
        Assert.EndsWith(console, secretaryView);
        Assert.Contains("<a href=\"http://localhost/h5/admin\">", staffView); // the page, which signs the browser in itself
        Assert.DoesNotContain("/h5/admin", memberView);
        // The dashboard (#20) for office staff, not for a branch's secretary.
        Assert.Contains("\n" + app.Get<BotLinks>().Page("/h5/dashboard", BotReplies.DashboardLink) + "\n", staffView);
        Assert.DoesNotContain("/h5/dashboard", secretaryView);
        Assert.DoesNotContain("/h5/admin", tasks);
        Assert.StartsWith($"「{member.OrgName}」未完成的任务（共", tasks);
        Assert.Contains("\n1. ", tasks);
    }

    /// <summary>
    /// #20: staff open the dashboard from the 工作台 answer with one silent web-OAuth round (the page's own state), not two
    /// (a link through WeChat with <c>state=menu</c>, which the page does not take, then the page's own); the same
    /// browser opens it again with no sign-in at all.
    /// </summary>
    [Fact]
    public async Task The_workbench_s_dashboard_link_opens_the_dashboard_after_one_silent_sign_in()
    {
        var staff = await BoundAsync(Roles.Staff, "subdistrict");
        var reply = await world.TapAsync(staff, BotMenuKeys.Workbench);
        var href = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(reply!, "<a href=\"([^\"]+)\">" + BotReplies.DashboardLink).Groups[1].Value);
        using var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var (first, firstRounds) = await FollowAsync(browser, href, staff.OpenId);
        var (again, againRounds) = await FollowAsync(browser, href, staff.OpenId);

        Assert.Contains("<h1>工作台看板</h1>", first);
        Assert.Equal(1, firstRounds);
        Assert.Contains("<h1>工作台看板</h1>", again);
        Assert.Equal(0, againRounds);
    }

    /// <summary>Follows a link as WeChat's browser does, the user allowing each silent authorize; the page and the rounds.</summary>
    private static async Task<(string Html, int Rounds)> FollowAsync(HttpClient browser, string link, string openId)
    {
        var url = new Uri(new Uri("http://localhost"), link);
        var rounds = 0;
        for (var hop = 0; hop < 10; hop++)
        {
            if (url.AbsolutePath.EndsWith("/connect/oauth2/authorize", StringComparison.Ordinal))
            {
                rounds++;
                url = new Uri(url, url.AbsolutePath + "/choose" + url.Query + "&openid=" + openId);
            }
            using var response = await browser.GetAsync(url.PathAndQuery, Ct);
            if (response.StatusCode != HttpStatusCode.Redirect)
                return (await response.Content.ReadAsStringAsync(Ct), rounds);
            url = new Uri(url, response.Headers.Location!);
        }
        throw new InvalidOperationException("too many redirects");
    }

    [Fact]
    public async Task Text_commands_answer_in_chinese_and_anything_else_gets_help()
    {
        var member = await BoundAsync(Roles.Member, "branch", skip: 6);

        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), await world.SayAsync(member, "帮助"));
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), await world.SayAsync(member, "今天天气不错"));
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), await world.SayAsync(member, "3"));
        Assert.StartsWith($"「{member.OrgName}」未完成的任务", await world.SayAsync(member, "任务"));
        Assert.Contains("<a href=\"http://localhost/h5/ranking\">", await world.SayAsync(member, "排名"));
        Assert.Equal(BotReplies.AlreadyBound(member.Name, member.OrgName), await world.SayAsync(member, "绑定"));
        Assert.Equal(BotReplies.NothingToCancel, await world.SayAsync(member, "取消"));
    }

    private async Task<string> UploadAsync(Person who, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/jpeg");
        form.Add(part, "media", "photo.jpg");
        using var response = await world.Http.PostAsync($"/sandbox/wechat/media?app=oa&openid={who.OpenId}", form, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).Str("mediaId");
    }
}
