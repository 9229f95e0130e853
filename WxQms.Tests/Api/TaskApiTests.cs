using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Api;

/// <summary>
/// A branch secretary, signed in through the sandbox, plans next month's theme party day and submits
/// its evidence through the mini-program API; office staff watch; another branch is kept out.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class TaskApiTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly HttpClient client = app.CreateClient();
    private readonly SandboxDriver wx = new(app);
    private Period month = null!;
    private Period firstMonth = null!;
    private (long Member, long Branch, string Path) secretary;

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        month = await app.PlanMonthAsync();
        // The plan of the catalogue's first month too (its duties are in force from January 2026; a month before that
        // has no task), past due whichever month the shared clock has reached.
        firstMonth = Periods.Containing(Recurrence.Monthly, Periods.StartOf(TaskCatalogue.DefaultEffectiveFrom));
        await app.Get<PlanService>().GenerateYearAsync(firstMonth.Year, Ct);
        secretary = await HolderAsync("secretary", "DFL-C03-B01");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_secretary_plans_and_submits_a_theme_party_day_and_sees_it_completed_with_its_points()
    {
        var token = await SignInAsync(secretary.Member);

        var list = await GetAsync<JsonElement>($"/api/mp/tasks?period={month.Key}", token);
        var task = list.EnumerateArray().Single(t => t.GetProperty("templateCode").GetString() == TaskCodes.ThemePartyDay);
        var id = task.GetProperty("id").GetInt64();
        var day20 = new DateTimeOffset(month.LastDay.Year, month.LastDay.Month, 20, 14, 0, 0, TimeSpan.FromHours(8));
        var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{id}/plan", token,
            JsonContent.Create(new { plannedFor = day20, place = "社区党群服务中心", topic = "志愿服务进楼院", version = 1 }));
        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        app.Clock.SetUtcNow(day20.AddHours(3));
        token = await SignInAsync(secretary.Member); // weeks later: the 2-hour token has long expired

        var submitted = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{id}/evidence", token, await EvidenceFormAsync(day20, version: 2));

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var body = await submitted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(body.GetProperty("passed").GetBoolean(), body.ToString());
        Assert.Equal("completed", body.GetProperty("task").GetProperty("state").GetString());
        Assert.Equal(1.5m, body.GetProperty("pointsEarned").GetDecimal());

        var detail = await GetAsync<JsonElement>($"/api/mp/tasks/{id}", token);
        var photoUrl = detail.GetProperty("photos")[0].GetProperty("url").GetString()!;
        var photo = await SendAsync(HttpMethod.Get, photoUrl, token);
        Assert.Equal(3, detail.GetProperty("photos").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
        Assert.Equal(TestPng.Create(50, 40), await photo.Content.ReadAsByteArrayAsync(Ct));
        Assert.Contains("private", photo.Headers.CacheControl!.ToString());
        Assert.Equal("nosniff", photo.Headers.GetValues("X-Content-Type-Options").Single());
        var outsider = await SignInAsync((await HolderAsync("secretary", "DFL-C04-B01")).Member);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, photoUrl, outsider)).StatusCode);

        var staff = await SignInAsync((await HolderAsync("staff", "DFL")).Member);
        var seen = await GetAsync<JsonElement>($"/api/mp/tasks/{id}", staff);
        Assert.Equal("completed", seen.GetProperty("state").GetString());
        var summary = await GetAsync<JsonElement>("/api/mp/tasks/summary?scope=1", staff);
        Assert.Equal(1, summary.GetProperty("completedThisYear").GetInt32());
        Assert.True(summary.GetProperty("overdue").GetInt32() > 0); // nobody did anything last year
    }

    [Fact]
    public async Task Evidence_photos_whose_exif_says_another_day_than_the_meeting_are_flagged_for_the_reviewer()
    {
        var token = await SignInAsync(secretary.Member);
        var id = await ThemePartyDayAsync(token);
        var day20 = new DateTimeOffset(month.LastDay.Year, month.LastDay.Month, 20, 14, 0, 0, TimeSpan.FromHours(8));
        var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{id}/plan", token,
            JsonContent.Create(new { plannedFor = day20, place = "社区党群服务中心", topic = "志愿服务进楼院", version = 1 }));
        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        app.Clock.SetUtcNow(day20.AddHours(12)); // 02:00 the next morning in Shanghai
        token = await SignInAsync(secretary.Member);
        var local = day20.DateTime.Date; // the meeting's day on Shanghai's clock, which phones here show
        // Early and late on the meeting day are the day before and the day after in UTC: the day is Shanghai's.
        var photos = new (byte[] Bytes, string Type, string Name)[]
        {
            (TestJpeg.TakenAt(local.AddHours(7.5), seed: 1), "image/jpeg", "早上.jpg"),
            (TestJpeg.TakenAt(local.AddHours(22.5), seed: 2), "image/jpeg", "晚上.jpg"),
            (TestJpeg.TakenAt(local.AddDays(-2).AddHours(15), seed: 3), "image/jpeg", "前天.jpg"),
            (TestPng.Create(50, 40), "image/png", "截图.png"),
        };

        var submitted = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{id}/evidence", token, await EvidenceFormAsync(day20, version: 2, photos));

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var detail = await GetAsync<JsonElement>($"/api/mp/tasks/{id}", token);
        var byHash = detail.GetProperty("photos").EnumerateArray().ToDictionary(p => p.GetProperty("sha256").GetString()!);
        JsonElement Photo(int i) => byHash[Convert.ToHexStringLower(SHA256.HashData(photos[i].Bytes))];
        bool? Flag(int i) => Photo(i).TryGetProperty("takenOnMeetingDay", out var f) && f.ValueKind != JsonValueKind.Null
            ? f.GetBoolean() : null;
        Assert.Equal(4, byHash.Count);
        Assert.Equal([true, true, false, null], Enumerable.Range(0, 4).Select(Flag).ToArray());
        Assert.Equal(new DateTimeOffset(local.AddDays(-2).AddHours(15), TimeSpan.FromHours(8)), Photo(2).GetProperty("takenAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_cached_task_list_is_retired_by_a_plan_reported_through_the_api_and_by_the_overdue_marking()
    {
        var token = await SignInAsync(secretary.Member);
        var url = $"/api/mp/tasks?period={month.Key}";
        var first = await SendAsync(HttpMethod.Get, url, token);
        var again = await SendAsync(HttpMethod.Get, url, token);
        var id = await ThemePartyDayAsync(token);

        var planned = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{id}/plan", token, JsonContent.Create(new
        {
            plannedFor = new DateTimeOffset(month.LastDay.Year, month.LastDay.Month, 20, 14, 0, 0, TimeSpan.FromHours(8)),
            place = "社区党群服务中心", topic = "志愿服务进楼院", version = 1,
        }));
        var afterPlan = await SendAsync(HttpMethod.Get, url, token);

        Assert.Equal(HttpStatusCode.OK, planned.StatusCode);
        Assert.Equal(["miss", "hit", "miss"], new[] { first, again, afterPlan }.Select(r => r.Headers.GetValues("X-Cache").Single()));
        Assert.Equal("planned", await StateInListAsync(afterPlan, id));

        // The catalogue's first month's tasks, all past due: listed, cached, then marked overdue by the Jobs' worker.
        var pastMonth = $"/api/mp/tasks?period={firstMonth.Key}";
        var before = await SendAsync(HttpMethod.Get, pastMonth, token);
        var cached = await SendAsync(HttpMethod.Get, pastMonth, token);
        var pastDue = (await before.Content.ReadFromJsonAsync<JsonElement>(Ct)).EnumerateArray().First().GetProperty("id").GetInt64();
        await app.Get<OverdueMarker>().MarkDueAsync(app.Clock.GetUtcNow(), Ct);
        var afterJob = await SendAsync(HttpMethod.Get, pastMonth, token);

        Assert.Equal(["miss", "hit", "miss"], new[] { before, cached, afterJob }.Select(r => r.Headers.GetValues("X-Cache").Single()));
        Assert.Equal("overdue", await StateInListAsync(afterJob, pastDue));
    }

    private async Task<long> ThemePartyDayAsync(string token)
    {
        var list = await GetAsync<JsonElement>($"/api/mp/tasks?period={month.Key}", token);
        return list.EnumerateArray().Single(t => t.GetProperty("templateCode").GetString() == TaskCodes.ThemePartyDay)
            .GetProperty("id").GetInt64();
    }

    private static async Task<string?> StateInListAsync(HttpResponseMessage list, long id) =>
        (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).EnumerateArray()
        .Single(t => t.GetProperty("id").GetInt64() == id).GetProperty("state").GetString();

    [Fact]
    public async Task Another_branchs_secretary_gets_403_on_the_task_and_its_list()
    {
        var other = await HolderAsync("secretary", "DFL-C04-B01");
        var token = await SignInAsync(other.Member);
        var id = await ScalarAsync("SELECT id FROM tasks WHERE org_id = @Branch LIMIT 1", new { secretary.Branch });

        var task = await SendAsync(HttpMethod.Get, $"/api/mp/tasks/{id}", token);
        var list = await SendAsync(HttpMethod.Get, $"/api/mp/tasks?scope={secretary.Branch}", token);
        var plan = await SendAsync(HttpMethod.Put, $"/api/mp/tasks/{id}/plan", token,
            JsonContent.Create(new { plannedFor = DateTimeOffset.UtcNow, place = "x", topic = "y", version = 1 }));

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            new[] { task.StatusCode, list.StatusCode, plan.StatusCode });
        Assert.Equal("application/problem+json", task.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Someone_not_yet_bound_is_asked_to_bind_and_nobody_without_a_token_gets_in()
    {
        var code = (await wx.PostRawAsync("/sandbox/wechat/mp/jscode", new { openid = SandboxDriverUsers.ResidentMpOpenId })).Str("code");
        var login = await client.PostAsJsonAsync("/api/mp/login", new { code }, Ct);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;

        var unbound = await SendAsync(HttpMethod.Get, "/api/mp/tasks", token);
        var anonymous = await client.GetAsync("/api/mp/tasks", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, unbound.StatusCode);
        Assert.Equal("auth.not_bound", (await unbound.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_renamed_executable_among_the_photos_is_refused()
    {
        var token = await SignInAsync(secretary.Member);
        var id = await ScalarAsync("SELECT id FROM tasks WHERE org_id = @Branch AND template_code = 'party_dues' AND period_key = @Key",
            new { secretary.Branch, month.Key });
        using var form = new MultipartFormDataContent
        {
            { new StringContent(month.StartsAt.AddDays(2).ToString("O")), "heldAt" },
            { new StringContent("1"), "version" },
            { new StringContent("台账"), "minutes" },
        };
        form.Add(new ByteArrayContent([0x4D, 0x5A, 0x90, 0x00, 3, 0, 0, 0]) { Headers = { ContentType = new("image/jpeg") } }, "photos", "合影.jpg");

        var response = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{id}/evidence", token, form);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("photo.bad_type", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Submissions_racing_with_the_same_upload_token_leave_one_winner_and_nothing_of_the_others()
    {
        var token = await SignInAsync(secretary.Member);
        var tasks = (await QueryAsync<long>("""
            SELECT id FROM tasks WHERE org_id = @Branch AND template_code = 'party_dues' AND period_key LIKE @year ORDER BY period_key LIMIT 4
            """, new { secretary.Branch, year = $"{month.Year}-%" })).ToList();
        var photo = await UploadAsync(token, TestPng.Create(83, 41));

        var answers = await Task.WhenAll(tasks.Select(id => SendAsync(HttpMethod.Post, $"/api/mp/tasks/{id}/evidence", token,
            JsonContent.Create(new { heldAt = app.Clock.GetUtcNow(), minutes = "党费收缴台账", version = 1, photoTokens = new[] { photo } }))));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        var losers = answers.Where(a => a.StatusCode != HttpStatusCode.OK).ToList();
        Assert.All(losers, a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        foreach (var loser in losers)
            Assert.Equal("upload.used", (await loser.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        // Nothing of the losing submissions: one evidence, one photo row, one audit trail; the other tasks untouched.
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM task_evidence WHERE task_id IN @tasks", new { tasks }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM evidence_photos", new { }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'task.submitted'", new { }));
        Assert.Equal(3, await ScalarAsync("SELECT COUNT(*) FROM tasks WHERE id IN @tasks AND state = 'pending' AND row_version = 1",
            new { tasks }));
        Assert.Equal(0, await ScalarAsync("""
            SELECT COUNT(*) FROM points_ledger WHERE task_id IN @tasks AND task_id NOT IN (SELECT task_id FROM task_evidence)
            """, new { tasks }));
    }

    [Fact]
    public async Task A_token_spent_by_a_committed_submission_is_spent_by_its_commit_and_cannot_be_spent_again()
    {
        var token = await SignInAsync(secretary.Member);
        var tasks = (await QueryAsync<long>("""
            SELECT id FROM tasks WHERE org_id = @Branch AND template_code = 'party_dues' AND period_key LIKE @year ORDER BY period_key LIMIT 2
            """, new { secretary.Branch, year = $"{month.Year}-%" })).ToList();
        var photo = await UploadAsync(token, TestPng.Create(84, 41));
        var uploader = await ScalarAsync("SELECT wechat_user_id FROM uploads WHERE token = @photo", new { photo });
        var commands = app.Get<TaskCommands>();
        var stored = await app.Get<WxQms.Domain.Storage.UploadStore>().ResolveAsync(uploader, [photo], Ct);

        // The submission itself spends the token: a process that dies the moment it returns leaves nothing reusable.
        await commands.SubmitEvidenceAsync(tasks[0], 1, new EvidenceSubmission(app.Clock.GetUtcNow(), null, null, "党费收缴台账", [], stored,
            new EvidenceClaims(uploader, [photo], [])), "member:1", secretary.Member, Ct);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM uploads WHERE token = @photo AND used_at IS NOT NULL", new { photo }));

        var again = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{tasks[1]}/evidence", token,
            JsonContent.Create(new { heldAt = app.Clock.GetUtcNow(), minutes = "党费收缴台账", version = 1, photoTokens = new[] { photo } }));
        var sneaked = () => commands.SubmitEvidenceAsync(tasks[1], 1, new EvidenceSubmission(app.Clock.GetUtcNow(), null, null, "党费收缴台账",
            [], stored, new EvidenceClaims(uploader, [photo], [])), "member:1", secretary.Member, Ct);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("upload.used", (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        Assert.Equal("upload.used", (await Assert.ThrowsAsync<ConflictException>(sneaked)).Code);
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM task_evidence WHERE task_id = @id", new { id = tasks[1] }));
    }

    [Fact]
    public async Task Nine_large_photos_in_a_multipart_evidence_are_streamed_to_disk_not_held_in_memory()
    {
        var token = await SignInAsync(secretary.Member);
        var id = await ScalarAsync("SELECT id FROM tasks WHERE org_id = @Branch AND template_code = 'party_dues' AND period_key = @Key",
            new { secretary.Branch, month.Key });
        var photos = Enumerable.Range(0, 9).Select(i => TestPng.Padded(40 + i, 30, 9_000_000, seed: i)).ToList();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(month.StartsAt.AddDays(2).ToString("O")), "heldAt" },
            { new StringContent("1"), "version" },
            { new StringContent("党费收缴台账"), "minutes" },
        };
        foreach (var (photo, i) in photos.Select((p, i) => (p, i)))
            form.Add(new ByteArrayContent(photo) { Headers = { ContentType = new("image/png") } }, "photos", $"台账{i}.png");
        await form.LoadIntoBufferAsync(Ct); // the client's copy of the body is made before we count
        var length = form.Headers.ContentLength!.Value;

        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var response = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{id}/evidence", token, form);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(9, await ScalarAsync("SELECT COUNT(*) FROM evidence_photos", new { }));
        // The in-process test server carries the body through freshly allocated pipe buffers (about its length, 81 MB);
        // beyond that the request allocates little. Buffering each photo whole, as before, allocated several times the body.
        Assert.True(allocated < length + 20_000_000, $"the request allocated {allocated / 1_000_000} MB for a body of {length / 1_000_000} MB");
    }

    [Fact]
    public async Task A_multipart_evidence_longer_than_the_limit_is_refused_with_413_from_its_declared_length()
    {
        var token = await SignInAsync(secretary.Member);
        var id = await ScalarAsync("SELECT id FROM tasks WHERE org_id = @Branch AND template_code = 'party_dues' AND period_key = @Key",
            new { secretary.Branch, month.Key });
        var body = new EndlessMultipart(10L * PhotoIntake.MaxBytes).Init();

        var response = await SendAsync(HttpMethod.Post, $"/api/mp/tasks/{id}/evidence", token, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request.invalid", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM task_evidence", new { }));
    }

    /// <summary>A multipart body that says how long it is and makes its bytes only as they are read.</summary>
    private sealed class EndlessMultipart(long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var head = System.Text.Encoding.ASCII.GetBytes(
                "--b\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n");
            await stream.WriteAsync(head);
            var chunk = new byte[64 * 1024];
            for (long sent = head.Length; sent < length; sent += chunk.Length)
                await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - sent)));
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return true;
        }

        public EndlessMultipart Init()
        {
            Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
            return this;
        }
    }

    private async Task<string> UploadAsync(string token, byte[] png)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(png) { Headers = { ContentType = new("image/png") } }, "file", "photo.png" } };
        var response = await SendAsync(HttpMethod.Post, "/api/mp/uploads", token, form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
    }

    private static Task<IEnumerable<T>> QueryAsync<T>(string sql, object param) => TestDb.QueryAsync<T>(sql, param);

    private async Task<MultipartFormDataContent> EvidenceFormAsync(DateTimeOffset heldAt, int version,
        IReadOnlyList<(byte[] Bytes, string Type, string Name)>? photos = null)
    {
        var roster = await TestDb.QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE @pattern AND m.status IN ('full', 'probationary')
            """, new { pattern = secretary.Path + "%" });
        var form = new MultipartFormDataContent
        {
            { new StringContent(heldAt.ToString("O")), "heldAt" },
            { new StringContent("社区党群服务中心"), "place" },
            { new StringContent("志愿服务进楼院"), "topic" },
            { new StringContent("活动记录：清理楼道、走访独居老人……"), "minutes" },
            { new StringContent(version.ToString()), "version" },
            { new StringContent(JsonSerializer.Serialize(roster.Select(id => new { memberId = id, presence = "present" }))), "attendance" },
        };
        photos ??= [.. Enumerable.Range(0, 3).Select(i => (TestPng.Create(50 + i, 40), "image/png", $"活动{i}.png"))];
        foreach (var (bytes, type, name) in photos)
            form.Add(new ByteArrayContent(bytes) { Headers = { ContentType = new(type) } }, "photos", name);
        return form;
    }

    private Task<string> SignInAsync(long memberId) => wx.SignInMemberAsync(client, memberId);

    private async Task<T> GetAsync<T>(string url, string token)
    {
        var response = await SendAsync(HttpMethod.Get, url, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync<T>(Ct))!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, Ct);
    }

    private static async Task<(long Member, long Branch, string Path)> HolderAsync(string role, string orgCode)
    {
        return (await TestDb.QueryAsync<(long, long, string)>("""
            SELECT r.member_id, o.id, o.path FROM member_roles r JOIN orgs o ON o.id = r.org_id JOIN members m ON m.id = r.member_id
            WHERE r.role = @role AND o.code = @orgCode AND m.phone IS NOT NULL ORDER BY r.member_id
            """, new { role, orgCode })).First();
    }

    private static Task<long> ScalarAsync(string sql, object param) => TestDb.ScalarAsync(sql, param);
}

internal static class SandboxDriverUsers
{
    public static string ResidentMpOpenId => WxQms.Sandbox.SandboxUsers.Residents[0].MpOpenId;
}
