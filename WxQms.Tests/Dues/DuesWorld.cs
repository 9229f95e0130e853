using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Dues;
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
        await app.SeedDemoAsync();
        Current = DuesMonth.Of(Periods.LocalDate(app.Clock.GetUtcNow()));
        await app.PlanYearAsync(Current.Year);
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

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, object? body) =>
        Client.SendAsync(method, url, token, body);

    public static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString();
}

/// <summary>
/// A dues test class over a fresh <see cref="DuesWorld"/> for each test: its month, branch and owing members, and the branch's
/// people signed in through the sandbox.
/// </summary>
public abstract class DuesWorldTests(WxQmsApp app) : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The shared app (a derived class names its own constructor's parameter otherwise, and uses this).</summary>
    protected WxQmsApp app { get; } = app;

    protected DuesWorld dues { get; } = new(app);

    protected DuesMonth current => dues.Current;

    protected long branch => dues.Branch;

    protected List<long> members => dues.Members;

    protected HttpClient client => dues.Client;

    public ValueTask InitializeAsync() => new(dues.InitializeAsync());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected Task<string> WorkerAsync() => dues.HolderAsync("worker");

    protected Task<string> SecretaryAsync() => dues.HolderAsync("secretary");

    protected Task<string> SignInAsync(long memberId) => dues.SignInAsync(memberId);

    protected Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string token, object? body) =>
        dues.SendAsync(method, url, token, body);

    protected static Task<string?> CodeAsync(HttpResponseMessage response) => DuesWorld.CodeAsync(response);
}
