using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;

namespace WxQms.Tests.Api;

/// <summary>
/// Who may do what to one branch's task, through the real pipeline: every role against every task
/// route. Requests that pass the scope check are built to fail afterwards (a stale version, a missing
/// title, an unknown photo), so the matrix changes nothing and tells "allowed" (409/404/200) from
/// "refused" (403) by status alone.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class RoleMatrixTests(RoleMatrixTests.Users users) : IClassFixture<RoleMatrixTests.Users>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly string[] Roles =
        ["member", "secretary", "worker", "otherSecretary", "communitySecretary", "otherCommunity", "staff", "unbound"];

    /// <summary>Which roles each action admits (everyone else gets 403), and the status an admitted caller gets.</summary>
    private static readonly (string Action, HttpStatusCode Admitted, string[] Who)[] Matrix =
    [
        ("read task", HttpStatusCode.OK, ["member", "secretary", "worker", "communitySecretary", "staff"]),
        ("read photo", HttpStatusCode.NotFound, ["member", "secretary", "worker", "communitySecretary", "staff"]),
        ("read roster", HttpStatusCode.OK, ["member", "secretary", "worker", "communitySecretary", "staff"]),
        ("list branch tasks", HttpStatusCode.OK, ["member", "secretary", "worker", "communitySecretary", "staff"]),
        ("report plan", HttpStatusCode.Conflict, ["secretary", "worker", "communitySecretary", "staff"]),
        ("submit evidence", HttpStatusCode.Conflict, ["secretary", "worker", "communitySecretary", "staff"]),
        ("review", HttpStatusCode.Conflict, ["staff"]),
        ("issue ad-hoc task", HttpStatusCode.Conflict, ["communitySecretary", "staff"]),
    ];

    public static TheoryData<string, string> Cells()
    {
        var data = new TheoryData<string, string>();
        foreach (var (action, _, _) in Matrix)
            foreach (var role in Roles)
                data.Add(action, role);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_role_reaches_exactly_its_scope(string action, string role)
    {
        var (_, admitted, who) = Matrix.Single(m => m.Action == action);
        var expected = who.Contains(role) ? admitted : HttpStatusCode.Forbidden;

        using var response = await users.SendAsync(action, role);

        Assert.True(expected == response.StatusCode,
            $"{role} / {action}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        // Checked after every cell rather than in a test of its own, which could run before the others.
        Assert.Equal(("pending", 1), await TestDb.QuerySingleAsync<(string, int)>(
            "SELECT state, row_version FROM tasks WHERE id = @Id", new { Id = users.TaskId }));
    }

    /// <summary>One signed-in user per role, and a theme-party-day task of branch DFL-C03-B01.</summary>
    public sealed class Users(WxQmsApp app) : IAsyncLifetime
    {
        private readonly HttpClient client = app.CreateClient();
        private readonly Dictionary<string, string> tokens = [];
        private long branchId;
        private long communityId;

        public long TaskId { get; private set; }

        public async ValueTask InitializeAsync()
        {
            await app.SeedDemoAsync();
            var month = await app.PlanMonthAsync();
            branchId = await TestDb.QuerySingleAsync<long>("SELECT id FROM orgs WHERE code = 'DFL-C03-B01'");
            communityId = await TestDb.QuerySingleAsync<long>("SELECT id FROM orgs WHERE code = 'DFL-C03'");
            TaskId = await TestDb.QuerySingleAsync<long>(
                "SELECT id FROM tasks WHERE org_id = @branchId AND template_code = @code AND period_key = @key",
                new { branchId, code = TaskCodes.ThemePartyDay, key = month.Key });
            var wx = new SandboxDriver(app);
            async Task<long> Holder(string r, string orgCode, bool plainMember = false) => await TestDb.ScalarAsync($"""
                SELECT m.id FROM members m JOIN member_roles r ON r.member_id = m.id JOIN orgs o ON o.id = r.org_id
                WHERE r.role = @r AND o.code = @orgCode AND m.phone IS NOT NULL
                  {(plainMember ? "AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = m.id AND x.role <> 'member')" : "")}
                ORDER BY m.id
                """, new { r, orgCode });
            var members = new Dictionary<string, long>
            {
                ["member"] = await Holder("member", "DFL-C03-B01-G1", plainMember: true),
                ["secretary"] = await Holder("secretary", "DFL-C03-B01"),
                ["worker"] = await Holder("worker", "DFL-C03-B01"),
                ["otherSecretary"] = await Holder("secretary", "DFL-C03-B02"),
                ["communitySecretary"] = await Holder("secretary", "DFL-C03"),
                ["otherCommunity"] = await Holder("secretary", "DFL-C05"),
                ["staff"] = await Holder("staff", "DFL"),
            };
            foreach (var (role, memberId) in members)
                tokens[role] = await wx.SignInMemberAsync(client, memberId);
            tokens["unbound"] = await wx.SignInAsync(client, SandboxDriverUsers.ResidentMpOpenId, bind: false);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public Task<HttpResponseMessage> SendAsync(string action, string role) => action switch
        {
            "read task" => Send(HttpMethod.Get, $"/api/mp/tasks/{TaskId}", role),
            "read photo" => Send(HttpMethod.Get, $"/api/mp/tasks/{TaskId}/photos/{new string('0', 64)}", role),
            "read roster" => Send(HttpMethod.Get, $"/api/mp/orgs/{branchId}/members", role),
            "list branch tasks" => Send(HttpMethod.Get, $"/api/mp/tasks?scope={branchId}", role),
            "report plan" => Send(HttpMethod.Put, $"/api/mp/tasks/{TaskId}/plan", role, new
            {
                plannedFor = app.Clock.GetUtcNow().AddDays(40), place = "党群服务中心", topic = "学习", version = 999,
            }),
            "submit evidence" => Send(HttpMethod.Post, $"/api/mp/tasks/{TaskId}/evidence", role, new
            {
                heldAt = app.Clock.GetUtcNow(), place = "党群服务中心", version = 999,
            }),
            "review" => Send(HttpMethod.Post, $"/api/mp/tasks/{TaskId}/review", role, new { decision = "approve", adjustment = 0, version = 999 }),
            "issue ad-hoc task" => Send(HttpMethod.Post, "/api/mp/adhoc-tasks", role, new
            {
                title = "", dueOn = Periods.LocalDate(app.Clock.GetUtcNow()).AddDays(5), points = 1, orgIds = new[] { communityId },
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
        };

        private Task<HttpResponseMessage> Send(HttpMethod method, string url, string role, object? body = null)
        {
            var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[role]);
            return client.SendAsync(request, Ct);
        }
    }
}
