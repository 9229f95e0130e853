using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Dues;
using WxQms.Sandbox.Demo;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Dues;

/// <summary>
/// The dues tests' world: the demo seeded, this year planned, and the first branch with a worker, whose members all earn
/// 4,500 yuan and owe this month. Its people sign in through the sandbox and call the API with their own token.
/// </summary>
public sealed class DuesWorld(WxQmsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly SandboxDriver wx = new(app);

    public HttpClient Client { get; } = app.CreateClient();

    public DuesMonth Current { get; private set; }

    public long Branch { get; private set; }

    /// <summary>The branch's members owing <see cref="Current"/>, by id; at least three.</summary>
    public List<long> Members { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await app.ResetAsync();
        await app.Get<DemoSeeder>().SeedAsync(Ct);
        Current = DuesMonth.Of(Periods.LocalDate(app.Clock.GetUtcNow()));
        await app.Get<PlanService>().GenerateYearAsync(Current.Year, Ct);
        // A branch whose members all have a phone (so each can sign in), with a worker; every member on the roll earns 4,500 yuan.
        Branch = await ScalarAsync("""
            SELECT b.id FROM orgs b
            WHERE b.kind = 'branch' AND EXISTS (SELECT 1 FROM member_roles r WHERE r.org_id = b.id AND r.role = 'worker')
            ORDER BY b.id LIMIT 1
            """);
        await ExecuteAsync("""
            INSERT INTO dues_bases (member_id, year, category, base_fen, monthly_fen, recorded_by, created_at, updated_at)
            SELECT m.id, @year, 'employed', 450000, 4500, 'test', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM members m
            """, new { year = Current.Year });
        await app.Get<DuesMonthMaker>().MakeAsync(app.Clock.GetUtcNow(), Ct);
        Members = (await QueryAsync<long>("SELECT member_id FROM dues_months WHERE org_id = @branch AND month = @m ORDER BY member_id",
            new { branch = Branch, m = Current.Key })).ToList();
        Assert.True(Members.Count >= 3, $"branch {Branch} has {Members.Count} members owing {Current.Key}");
    }

    public Task<string> SignInAsync(long memberId) => wx.SignInMemberAsync(Client, memberId);

    /// <summary>The branch's holder of <paramref name="role"/> (worker, secretary), signed in.</summary>
    public async Task<string> HolderAsync(string role) => await SignInAsync(await ScalarAsync(
        "SELECT member_id FROM member_roles WHERE org_id = @branch AND role = @role ORDER BY member_id LIMIT 1", new { branch = Branch, role }));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, object? body)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Client.SendAsync(request, Ct);
    }

    public static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString();
}
