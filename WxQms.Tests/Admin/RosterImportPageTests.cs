using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Admin.RosterFiles;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Admin;

/// <summary>
/// The console page /admin/imports: it renders with the template and export links, an upload is checked first (the
/// errors as a table by row and column, nothing written), a clean file offers 确认导入, which applies the same file
/// and redirects (303) to the result; a plain member gets 403.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class RosterImportPageTests(WxQmsApp app) : IClassFixture<SeededSubdistrict>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly WishWorld w = new(app);

    private readonly HttpClient client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private async Task<(HttpStatusCode Status, string Html, Uri? Location)> SendAsync(HttpMethod method, string url, WishWorld.Person who,
        HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Headers.Location);
    }

    [Fact]
    public async Task The_page_checks_an_upload_first_then_confirming_applies_the_same_file()
    {
        var staff = await w.HolderAsync("staff", "DFL");
        var (status, html, _) = await SendAsync(HttpMethod.Get, "/admin/imports", staff);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("/api/admin/imports/roster-template.xlsx", html);
        Assert.Contains("/api/admin/exports/roster.xlsx", html);
        Assert.Contains("""<a href="/admin/imports" class=on>导入导出</a>""", html);

        // No file: the form again with its inline error.
        (status, html, _) = await SendAsync(HttpMethod.Post, "/admin/imports", staff, new MultipartFormDataContent { { new StringContent("x"), "other" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("<em>请选择要上传的 .xlsx 文件", html);

        Book File(bool good) => new Book().Org("DFL-C12-P01", "页面测试党支部", "党支部", "DFL-C12")
            .Member("DFL-C12-P01", "页一", IdCard(601), Phone(601), roles: "书记")
            .Member("DFL-C12-P01", "页二", good ? IdCard(602) : "110101199001011234", Phone(602));
        var members = await ScalarAsync("SELECT COUNT(*) FROM members");
        (status, html, _) = await SendAsync(HttpMethod.Post, "/admin/imports", staff, Upload(File(good: false).Bytes()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Matches(ErrorRow(), html);
        Assert.DoesNotContain("确认导入", html);

        (status, html, _) = await SendAsync(HttpMethod.Post, "/admin/imports", staff, Upload(File(good: true).Bytes()));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("新增 3 行", html);
        Assert.Equal(members, await ScalarAsync("SELECT COUNT(*) FROM members")); // checked, not imported

        var fields = HiddenField().Matches(html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        Assert.Contains("确认导入", html);
        (status, _, var location) = await SendAsync(HttpMethod.Post, "/admin/imports/confirm", staff, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal("/admin/imports?done=1&create=3&update=0&unchanged=0", location?.OriginalString);
        Assert.Equal(members + 2, await ScalarAsync("SELECT COUNT(*) FROM members"));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM orgs WHERE code = 'DFL-C12-P01'"));

        (status, html, _) = await SendAsync(HttpMethod.Get, location!.OriginalString, staff);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("导入完成：新增 3 行", html);
    }

    [Fact]
    public async Task A_member_gets_403_on_the_page_and_a_branch_secretary_a_refusal()
    {
        var member = await w.PlainMemberAsync(5, "DFL-C01");
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/admin/imports", member)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Post, "/admin/imports", member, Upload([1, 2, 3]))).Status);
        var secretary = await w.MemberAsync(await ScalarAsync("""
            SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'secretary' AND o.kind = 'branch' AND o.depth > 1
              AND NOT EXISTS (SELECT 1 FROM member_roles x JOIN orgs xo ON xo.id = x.org_id
                              WHERE x.member_id = r.member_id AND (x.role IN ('staff', 'inspector') OR (x.role = 'secretary' AND xo.depth = 1)))
            ORDER BY r.member_id LIMIT 1
            """));
        var (status, html, _) = await SendAsync(HttpMethod.Get, "/admin/imports", secretary);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("仅限街道党建办工作人员和社区党委书记", html);
    }

    [GeneratedRegex("<tr><td>党员</td><td>3</td><td>身份证号</td><td>身份证号无效")]
    private static partial Regex ErrorRow();

    [GeneratedRegex("""<input type=hidden name=(\w+) value="([^"]*)">""")]
    private static partial Regex HiddenField();
}
