using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Documents;

/// <summary>
/// Controlled documents (#19 item 1) through the real pipeline: office staff register a document in the console, write,
/// approve and put versions in force (the one before becomes obsolete), compare them; every member reads the version in
/// force (mini program and H5), an older one marked obsolete; search; sanitising; duties cite clauses that the task links.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ControlledDocumentsTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Number = "DFL-QP-09";
    private readonly WishWorld w = new(app);
    private readonly HttpClient console = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    private WishWorld.Person staff = null!;
    private WishWorld.Person secretary = null!;
    private WishWorld.Person member = null!;

    private const string V1 = "# 会议管理程序\n\n## 4 要求\n\n### 4.1 支部党员大会\n每季度召开1次。\n\n### 4.2 支部委员会会议\n每月召开1次，会后7日内上传记录。\n";
    private const string V2 = "# 会议管理程序\n\n## 4 要求\n\n### 4.1 支部党员大会\n每季度召开1次。\n\n### 4.2 支部委员会会议\n每月召开1次，会后3日内上传记录。\n照片须为会议当天拍摄。\n";

    public async ValueTask InitializeAsync()
    {
        await w.InitializeAsync();
        staff = await w.HolderAsync("staff", "DFL");
        secretary = await w.HolderAsync("secretary", "DFL-C01-B01");
        member = await w.PlainMemberAsync(0);
    }

    public ValueTask DisposeAsync()
    {
        console.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<(HttpStatusCode Status, string Body, string? Location)> PostFormAsync(string url, WishWorld.Person who,
        params (string Name, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        using var response = await console.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Headers.Location?.ToString());
    }

    private async Task<(HttpStatusCode Status, string Body)> GetPageAsync(string url, WishWorld.Person who)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        using var response = await console.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>An H5 page as the member sees it from the official account (token → cookie → the clean URL).</summary>
    private async Task<(HttpStatusCode Status, string Body)> H5Async(string path, WishWorld.Person who)
    {
        using var client = app.CreateClient();
        var url = path + (path.Contains('?') ? "&" : "?") + "token=" + who.Token;
        using var response = await client.GetAsync(url, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private Task<(HttpStatusCode, string, string?)> ActAsync(int version, string action) =>
        PostFormAsync($"/admin/documents/{Number}/versions/{version}/{action}", staff);

    private async Task RegisterAsync(string body = V1)
    {
        var (status, page, location) = await PostFormAsync("/admin/documents", staff, ("number", Number.ToLowerInvariant()), ("title", "会议管理程序"),
            ("level", "procedure"), ("ownerPerson", "党建办主任"), ("body", body));
        Assert.True(status == HttpStatusCode.SeeOther, page);
        Assert.Equal($"/admin/documents/{Number}?done=created", location);
    }

    [Fact]
    public async Task Staff_register_approve_and_put_versions_in_force_and_the_one_before_becomes_obsolete_with_one_audit_entry_each()
    {
        await RegisterAsync();
        // A draft is the office's alone: readers find nothing in force yet.
        Assert.Equal(HttpStatusCode.NotFound, (await w.SendAsync(HttpMethod.Get, $"/api/mp/documents/{Number}", member)).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await ActAsync(1, "approve")).Item1);
        Assert.Equal(HttpStatusCode.SeeOther, (await ActAsync(1, "in-force")).Item1);

        var first = await w.GetAsync($"/api/mp/documents/{Number}", member);
        Assert.Equal((1, "in_force", false), (first.GetProperty("version").GetInt32(), first.GetProperty("status").GetString(),
            first.GetProperty("obsolete").GetBoolean()));
        Assert.Contains("id=\"4.2\"", first.GetProperty("html").GetString());

        // A revision says why; the form shows the error in place.
        var (bad, badPage, _) = await PostFormAsync($"/admin/documents/{Number}/versions", staff, ("body", V2));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("请填写修订原因", badPage);
        var (drafted, _, at) = await PostFormAsync($"/admin/documents/{Number}/versions", staff, ("body", V2), ("changeReason", "上传时限缩短为3日"));
        Assert.Equal((HttpStatusCode.SeeOther, $"/admin/documents/{Number}?done=drafted&v=2"), (drafted, at));
        // A second draft waits for the first; a draft is not put in force before approval.
        var (again, againPage, _) = await PostFormAsync($"/admin/documents/{Number}/versions", staff, ("body", V2), ("changeReason", "再改"));
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Contains("第2版尚待批准", againPage);
        var (early, earlyPage, _) = await ActAsync(2, "in-force");
        Assert.Equal(HttpStatusCode.Conflict, early);
        Assert.Contains("草稿须先经批准才能发布实施", earlyPage);

        Assert.Equal(HttpStatusCode.SeeOther, (await ActAsync(2, "approve")).Item1);
        Assert.Equal(HttpStatusCode.SeeOther, (await ActAsync(2, "in-force")).Item1);

        var states = (await QueryAsync<(int Version, string Status)>("""
            SELECT v.version, v.status FROM document_versions v JOIN documents d ON d.id = v.document_id WHERE d.number = @Number ORDER BY v.version
            """, new { Number })).ToList();
        Assert.Equal([(1, "obsolete"), (2, "in_force")], states);
        var current = await w.GetAsync($"/api/mp/documents/{Number}", member);
        Assert.Equal((2, "上传时限缩短为3日"), (current.GetProperty("version").GetInt32(), current.GetProperty("changeReason").GetString()));
        var old = await w.GetAsync($"/api/mp/documents/{Number}?version=1", member);
        Assert.True(old.GetProperty("obsolete").GetBoolean());
        Assert.Equal(2, old.GetProperty("inForceVersion").GetInt32());

        // The reader marks the old version prominently and links the current one; the current one has no such banner.
        var (_, oldPage) = await H5Async($"/h5/documents/{Number}?version=1", member);
        Assert.Contains("已作废（obsolete）", oldPage);
        Assert.Contains("查看现行第2版", oldPage);
        var (_, currentPage) = await H5Async($"/h5/documents/{Number}", member);
        Assert.DoesNotContain("已作废（obsolete）", currentPage);
        Assert.Contains("href=\"#4.2\"", currentPage); // the table of contents links each section
        Assert.Contains("id=\"4.2\"", currentPage);

        // The console compares the two versions line by line.
        var (diffStatus, diff) = await GetPageAsync($"/admin/documents/{Number}/diff?from=1&to=2", staff);
        Assert.Equal(HttpStatusCode.OK, diffStatus);
        Assert.Contains("<div class=del>每月召开1次，会后7日内上传记录。</div>", diff);
        Assert.Contains("<div class=add>每月召开1次，会后3日内上传记录。</div>", diff);
        Assert.Contains("<div class=add>照片须为会议当天拍摄。</div>", diff);
        Assert.Contains("<div class=same>### 4.1 支部党员大会</div>", diff);

        // Making the version in force obsolete leaves none in force: readers no longer list it.
        Assert.Equal(HttpStatusCode.SeeOther, (await ActAsync(2, "obsolete")).Item1);
        Assert.Equal(0, (await w.GetAsync("/api/mp/documents", member)).GetArrayLength());

        var audit = (await QueryAsync<string>("SELECT action FROM audit_log WHERE action LIKE 'document.%' ORDER BY id")).ToList();
        Assert.Equal(["document.created", "document.approved", "document.in_force", "document.drafted", "document.approved",
            "document.in_force", "document.obsolete"], audit);
    }

    [Fact]
    public async Task Only_office_staff_change_documents_and_other_console_users_read_them()
    {
        await RegisterAsync();
        var (refused, _, _) = await PostFormAsync("/admin/documents", secretary, ("number", "DFL-QP-10"), ("title", "x"), ("level", "procedure"),
            ("ownerPerson", "书记"), ("body", "正文"));
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFormAsync($"/admin/documents/{Number}/versions/1/approve", secretary)).Item1);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFormAsync($"/admin/documents/{Number}/versions", secretary, ("body", V2), ("changeReason", "x"))).Item1);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetPageAsync("/admin/documents", member)).Status);

        var (status, list) = await GetPageAsync("/admin/documents", secretary);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(Number, list);
        Assert.DoesNotContain("登记文件", list); // no form for those who may not change
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM documents"));
        Assert.Equal("draft", await QuerySingleAsync<string>("SELECT status FROM document_versions")); // nothing approved
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'document.%'"));
    }

    [Fact]
    public async Task The_register_form_shows_its_errors_in_place()
    {
        var (status, page, _) = await PostFormAsync("/admin/documents", staff, ("number", "QP 3"), ("level", "procedure"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("文件编号由大写字母和数字组成", page);
        Assert.Contains("请填写文件名称", page);
        Assert.Contains("请填写正文", page);
        await RegisterAsync();
        var (taken, takenPage, _) = await PostFormAsync("/admin/documents", staff, ("number", Number), ("title", "重复"), ("level", "procedure"),
            ("ownerPerson", "主任"), ("body", "正文"));
        Assert.Equal(HttpStatusCode.BadRequest, taken);
        Assert.Contains($"文件编号 {Number} 已存在", takenPage);
    }

    [Fact]
    public async Task Readers_search_by_number_title_and_text_and_a_script_never_reaches_them()
    {
        await RegisterAsync(V1 + "\n## 5 附件\n<script>alert('x')</script>\n[签到表](javascript:alert(1))\n");
        await ActAsync(1, "approve");
        await ActAsync(1, "in-force");

        foreach (var q in new[] { "QP-09", "会议管理", "7日内上传" })
            Assert.Equal([Number], (await w.GetAsync($"/api/mp/documents?q={Uri.EscapeDataString(q)}", member)).EnumerateArray()
                .Select(d => d.GetProperty("number").GetString()));
        Assert.Equal(0, (await w.GetAsync("/api/mp/documents?q=" + Uri.EscapeDataString("党费"), member)).GetArrayLength());
        Assert.Equal(0, (await w.GetAsync("/api/mp/documents?q=%25", member)).GetArrayLength()); // % is a character, not a wildcard

        var (_, found) = await H5Async("/h5/documents?q=" + Uri.EscapeDataString("7日内上传"), member);
        Assert.Contains(Number, found);
        Assert.Contains("<h2>程序文件</h2>", found);
        var (_, none) = await H5Async("/h5/documents?q=" + Uri.EscapeDataString("党费"), member);
        Assert.Contains("没有找到", none);

        var (_, page) = await H5Async($"/h5/documents/{Number}", member);
        Assert.DoesNotContain("<script>alert", page);
        Assert.DoesNotMatch("(?i)href=\"javascript:", page);
        // A WeChat user who is no member reads nothing.
        var resident = await w.ResidentAsync("马德胜");
        Assert.Equal(HttpStatusCode.Forbidden, (await w.SendAsync(HttpMethod.Get, "/api/mp/documents", resident)).StatusCode);
    }

    [Fact]
    public async Task A_duty_cites_a_clause_and_its_task_links_to_the_section()
    {
        await RegisterAsync();
        await ActAsync(1, "approve");
        await ActAsync(1, "in-force");
        const string Code = TaskCodes.CommitteeMeeting;

        var (missing, missingPage, _) = await PostFormAsync($"/admin/duties/{Code}/clause", staff, ("clause", $"{Number} §9.9"));
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.Contains($"{Number} 现行版本中没有第 9.9 条", missingPage);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFormAsync($"/admin/duties/{Code}/clause", secretary, ("clause", $"{Number} §4.2"))).Item1);
        var (set, _, at) = await PostFormAsync($"/admin/duties/{Code}/clause", staff, ("clause", $"{Number} §4.2"));
        Assert.Equal((HttpStatusCode.SeeOther, $"/admin/duties/{Code}?clause=set"), (set, at));
        var (_, dutyPage) = await GetPageAsync($"/admin/duties/{Code}", staff);
        Assert.Contains($"href=\"/h5/documents/{Number}#4.2\"", dutyPage);
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'duty.clause_set'"));

        var year = Periods.LocalDate(app.Clock.GetUtcNow()).Year;
        await app.Get<PlanService>().GenerateYearAsync(year, Ct);
        var task = await ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id WHERE o.code = 'DFL-C01-B01' AND t.template_code = @Code ORDER BY t.id LIMIT 1
            """, new { Code });
        var detail = await w.GetAsync($"/api/mp/tasks/{task}", secretary);
        var clause = detail.GetProperty("clause");
        Assert.Equal(($"{Number} §4.2", $"/h5/documents/{Number}#4.2"), (clause.GetProperty("label").GetString(), clause.GetProperty("url").GetString()));
        // A duty citing nothing has no clause.
        var other = await ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id WHERE o.code = 'DFL-C01-B01' AND t.template_code = @Code ORDER BY t.id LIMIT 1
            """, new { Code = TaskCodes.ThemePartyDay });
        Assert.Equal(JsonValueKind.Null, (await w.GetAsync($"/api/mp/tasks/{other}", secretary)).GetProperty("clause").ValueKind);
    }

    [Fact]
    public async Task The_demo_register_has_every_state_and_its_duties_cite_clauses()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await app.Get<DemoDocuments>().PostAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"demo documents: {started.ElapsedMilliseconds} ms");
        Assert.Equal((13, 15, 8), (result.Documents, result.Versions, result.Clauses));
        Assert.Equal((0, 0, 0), (await app.Get<DemoDocuments>().PostAsync(Ct)) is var again ? (again.Documents, again.Versions, again.Clauses) : default);

        var states = (await QueryAsync<(string Number, int Version, string Status, string Reason)>("""
            SELECT d.number, v.version, v.status, v.change_reason FROM document_versions v JOIN documents d ON d.id = v.document_id
            WHERE v.version > 1 OR v.status <> 'in_force' ORDER BY d.number, v.version
            """)).ToList();
        Assert.Equal(["DFL-QM-01 1 obsolete", "DFL-QM-01 2 in_force", "DFL-QP-03 2 draft"], states.Select(s => $"{s.Number} {s.Version} {s.Status}"));
        Assert.All(states.Where(s => s.Version > 1), s => Assert.NotEmpty(s.Reason));
        var levels = (await QueryAsync<(string Level, int Count)>("SELECT level, COUNT(*) FROM documents GROUP BY level ORDER BY level")).ToList();
        Assert.Equal([("external", 4), ("instruction", 5), ("manual", 1), ("procedure", 3)], levels);

        var (_, list) = await H5Async("/h5/documents", member);
        Assert.Contains("中国共产党支部工作条例（试行）", list);
        var (_, clausePage) = await H5Async("/h5/documents/DFL-QP-03", member);
        Assert.Contains("id=\"4.2\"", clausePage);
        Assert.Contains("4.2 支部委员会会议", clausePage);
    }
}
