using System.Net.Http.Headers;
using System.Text;
using CsCheck;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Fuzzing;

/// <summary>
/// Every parameter that names a period or a date (issue #15), with generated malformed values: <c>period=</c> of
/// the rankings, stars, exports, task list and H5 ranking page, and the dates in JSON bodies (a plan's plannedFor,
/// evidence's heldAt, an ad-hoc task's dueOn). Never a 5xx, nothing logged at Error, and the writes (all with a
/// stale version or refused otherwise) change nothing.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class PeriodFuzzTests(FuzzApp app) : IClassFixture<FuzzApp>, IAsyncLifetime
{
    private const int Inputs = 10_000;

    private readonly WishWorld w = new(app);
    private string staff = "";
    private string secretary = "";
    private long taskId;
    private long memberId;

    public async ValueTask InitializeAsync()
    {
        await w.InitializeAsync();
        var month = await app.PlanMonthAsync();
        staff = (await w.HolderAsync("staff", "DFL")).Token;
        var holder = await w.HolderAsync("secretary", "DFL-C03-B01");
        secretary = holder.Token;
        memberId = holder.MemberId!.Value;
        taskId = await ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.code = 'DFL-C03-B01' AND t.template_code = @code AND t.period_key = @key
            """, new { code = TaskCodes.ThemePartyDay, key = month.Key });
        app.Log.Clear();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Malformed_periods_and_dates_are_never_a_5xx_nor_an_unhandled_error_and_change_nothing()
    {
        string[] tables = ["tasks", "task_evidence", "adhoc_tasks", "audit_log"];
        var before = await FuzzApp.CountAsync(tables);
        var version = await ScalarAsync("SELECT row_version FROM tasks WHERE id = @taskId", new { taskId });

        await Probes.SampleAsync(async probe =>
        {
            var (status, body) = await SendAsync(probe);
            Assert.True(status < 500, $"{status} for {probe}: {body}");
        }, iter: Inputs, threads: 4, print: p => p.ToString());

        var errors = app.Errors();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        Assert.Equal(before, await FuzzApp.CountAsync(tables));
        Assert.Equal(version, await ScalarAsync("SELECT row_version FROM tasks WHERE id = @taskId", new { taskId }));
    }

    /// <summary>Found by the period fuzzer (issue #15): the task list passed any period to SQL, and a non-ASCII one answered 500.</summary>
    [Theory]
    [InlineData("٢٠٢٦-11")]
    [InlineData("2026年11月")]
    [InlineData("2026-13")]
    [InlineData("2026-W47")]
    public async Task The_task_list_answers_a_period_that_is_no_period_with_400(string period)
    {
        var (status, body) = await SendAsync(new Probe("task list", period));

        Assert.Equal(400, status);
        Assert.Contains("request.invalid", body);
    }

    public sealed record Probe(string Route, string Value)
    {
        public override string ToString() => $"{Route} ← {Value}";
    }

    private async Task<(int Status, string Body)> SendAsync(Probe probe)
    {
        var q = Uri.EscapeDataString(probe.Value);
        var json = System.Text.Json.JsonSerializer.Serialize(probe.Value);
        HttpRequestMessage request = probe.Route switch
        {
            "rankings" => new(HttpMethod.Get, $"/api/rankings?period={q}"),
            "rankings-branch" => new(HttpMethod.Get, $"/api/rankings?period={q}&level=branch"),
            "my stars" => new(HttpMethod.Get, $"/api/mp/me/stars?period={q}"),
            "member stars" => new(HttpMethod.Get, $"/api/mp/members/{memberId}/stars?period={q}"),
            "export rankings" => new(HttpMethod.Get, $"/api/exports/rankings.xlsx?period={q}"),
            "export tasks" => new(HttpMethod.Get, $"/api/exports/tasks.xlsx?period={q}"),
            "task list" => new(HttpMethod.Get, $"/api/mp/tasks?period={q}"),
            "h5 ranking" => new(HttpMethod.Get, $"/h5/ranking?period={q}"),
            "h5 rankings.xlsx" => new(HttpMethod.Get, $"/h5/ranking/rankings.xlsx?period={q}"),
            "h5 tasks.xlsx" => new(HttpMethod.Get, $"/h5/ranking/tasks.xlsx?period={q}"),
            "plan" => new(HttpMethod.Put, $"/api/mp/tasks/{taskId}/plan")
            {
                Content = Json($$"""{"plannedFor":{{json}},"place":"党群服务中心","topic":"学习","version":-1}"""),
            },
            "plan raw" => new(HttpMethod.Put, $"/api/mp/tasks/{taskId}/plan")
            {
                Content = Json($$"""{"plannedFor":{{probe.Value}},"version":-1}"""),
            },
            "evidence" => new(HttpMethod.Post, $"/api/mp/tasks/{taskId}/evidence")
            {
                Content = Json($$"""{"heldAt":{{json}},"place":"党群服务中心","version":-1}"""),
            },
            "evidence form" => new(HttpMethod.Post, $"/api/mp/tasks/{taskId}/evidence")
            {
                Content = new FormUrlEncodedContent([new("heldAt", probe.Value), new("version", "-1")]),
            },
            // An empty title keeps the ad-hoc task from being issued whatever its dates say.
            _ => new(HttpMethod.Post, "/api/mp/adhoc-tasks")
            {
                Content = Json($$"""{"title":"","dueOn":{{json}},"points":1,"orgIds":[1]}"""),
            },
        };
        using (request)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", probe.Route.StartsWith("plan") || probe.Route.StartsWith("evidence") ? secretary : staff);
            using var response = await w.Api.SendAsync(request, TestContext.Current.CancellationToken);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    // ---- generators ---------------------------------------------------------------------------

    private static readonly Gen<string> Year = Gen.OneOf(
        Gen.Int[-99_999, 99_999].Select(y => y.ToString()),
        Gen.Int[1, 9999].Select(y => y.ToString("D4")),
        Gen.Int[1900, 2100].Select(y => y.ToString()),
        Gen.OneOf<string>("0", "0000", "00002026", "２０２６", "2026 ", " 2026", "+2026", "2026.0", "1e3", "٢٠٢٦", "2147483648"));

    /// <summary>Periods in every shape the parser knows, bent, and strings that merely look like dates.</summary>
    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.Select(Year, Gen.Int[-5, 99], (y, m) => $"{y}-{m:D2}"),
        Gen.Select(Year, Gen.Int[-5, 99], (y, m) => $"{y}-{m}"),
        Gen.Select(Year, Gen.Int[-2, 12], (y, q) => $"{y}-Q{q}"),
        Gen.Select(Year, Gen.Int[-2, 12], (y, q) => $"{y}-q{q}"),
        Year,
        Gen.Select(Year, Gen.Int[0, 13], Gen.Int[0, 40], Gen.Int[0, 30], (y, m, d, h) => $"{y}-{m:D2}-{d:D2}T{h:D2}:30:00"),
        Gen.Select(Year, Gen.Int[0, 13], Gen.Int[0, 40], Gen.Int[-20, 20], (y, m, d, z) => $"{y}-{m:D2}-{d:D2}T00:00:00{(z < 0 ? "-" : "+")}{Math.Abs(z):D2}:00"),
        Gen.Select(Year, Gen.Int[0, 13], Gen.Int[0, 40], (y, m, d) => $"{y}-{m:D2}-{d:D2}"),
        Gen.String[0, 20],
        Gen.OneOf<string>("", " ", "-", "--", "Q4", "2026-Q", "2026-", "-2026", "2026-11-", "2026/11", "2026年11月", "2026-H1", "2026-W47",
            "1940-06", "1940-06-01T00:00:00", "1986-05-04T02:00:00", "1986-05", "1919-04", "9999-12", "0001-01", "10000", "2026-11\0",
            "null", "true", "[]", "{}", "0", "-0", "NaN", "Infinity", "1e308", "９９", "2026‐11", "2026-11 ", "%00", "\ud800",
            "2026-02-29", "2024-02-29", "2026-11-20T09:00:00Z", "2026-11-20T09:00:00+25:00", "/Date(1)/", "20261120"));

    private static readonly string[] Routes =
    [
        "rankings", "rankings-branch", "my stars", "member stars", "export rankings", "export tasks", "task list", "h5 ranking",
        "h5 rankings.xlsx", "h5 tasks.xlsx", "plan", "plan raw", "evidence", "evidence form", "adhoc",
    ];

    private static readonly Gen<Probe> Probes = Gen.Select(Gen.OneOf<string>(Routes), Value, (route, value) => new Probe(route, value));
}
