using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WxQms.Domain.Caching;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Assessment;

/// <summary>GET /api/rankings, the star lookups and the exports, through the real pipeline (issue #6).</summary>
[Collection(IntegrationCollection.Name)]
public sealed class RankingApiTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly AssessmentWorld world = new(app, thisMonth: true);
    private readonly HttpClient client = app.CreateClient();

    public async ValueTask InitializeAsync()
    {
        await world.InitializeAsync();
        foreach (var code in new[] { "DFL-C01-B01", "DFL-C01-B02", "DFL-C02-B01" })
        {
            foreach (var (id, possible) in (await world.TasksAsync(code, world.Month)).Take(2))
                await world.BookAsync(id, possible, "task.completed");
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<HttpResponseMessage> GetAsync(string url, string token, string? etag = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (etag is not null)
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(etag));
        return await client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task A_member_sees_the_communities_ranking_and_gets_304_when_nothing_changed()
    {
        await app.LetPeriodEndAsync(world.Month); // the month's tasks all due, no ranking cached before
        var token = await world.TokenAsync(await world.MemberOfAsync("DFL-C01-B01"));

        var first = await GetAsync($"/api/rankings?period={world.Month.Key}&level=community", token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(16, body.GetProperty("rows").GetArrayLength());
        Assert.True(body.GetProperty("provisional").GetBoolean());
        var top = body.GetProperty("rows")[0];
        Assert.Equal(1, top.GetProperty("rank").GetInt32());
        var etag = first.Headers.ETag!.Tag;

        var again = await GetAsync($"/api/rankings?period={world.Month.Key}&level=community", token, etag);

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task A_new_snapshot_retires_the_cached_ranking_and_its_etag()
    {
        var token = await world.TokenAsync(await world.MemberOfAsync("DFL-C01-B01"));
        var url = $"/api/rankings?period={world.Month.Key}&level=branch";
        var before = await GetAsync(url, token);
        app.Clock.SetUtcNow(world.Month.EndsAt.AddHours(2));
        token = await world.TokenAsync(await world.MemberOfAsync("DFL-C01-B01"));

        await app.Get<MonthlyClose>().CloseDueAsync(app.Clock.GetUtcNow(), Ct);
        var after = await GetAsync(url, token, before.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var body = JsonDocument.Parse(await after.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.False(body.GetProperty("provisional").GetBoolean());
        Assert.Equal(JsonValueKind.String, body.GetProperty("closedAt").ValueKind);
    }

    [Fact]
    public async Task A_secretary_may_not_look_at_another_communitys_branches()
    {
        var token = await world.TokenAsync(await world.HolderAsync("secretary", "DFL-C01-B01"));

        var own = await GetAsync($"/api/rankings?period={world.Month.Key}&level=branch", token);
        var other = await GetAsync($"/api/rankings?period={world.Month.Key}&level=branch&scope={await world.OrgAsync("DFL-C02")}", token);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var body = JsonDocument.Parse(await own.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(await world.OrgAsync("DFL-C01"), body.GetProperty("scope").GetProperty("id").GetInt64());
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("auth.forbidden", await other.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Bad_parameters_are_refused_with_a_reason()
    {
        var token = await world.TokenAsync(await world.MemberOfAsync("DFL-C01-B01"));

        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/api/rankings?period=2026-13", token)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("/api/rankings?level=street", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/api/rankings?scope=999999", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/rankings", Ct)).StatusCode);
    }

    [Fact]
    public async Task Periods_before_go_live_or_not_yet_begun_are_refused_without_computing_or_keeping_anything()
    {
        var me = await world.MemberOfAsync("DFL-C01-B01");
        var token = await world.TokenAsync(me);
        var staff = await world.TokenAsync(await world.HolderAsync("staff", "DFL"));
        var cache = app.Get<RankingCache>();
        using var builds = new MetricCollector<long>(app.Get<IMeterFactory>(), RankingQueries.MeterName, RankingQueries.BuiltCounter);
        var cached = cache.LocalCount;
        var firstYear = app.Get<AssessedPeriods>().FirstYear;
        string[] absent = [$"{firstYear - 1}-12", $"{firstYear - 1}-Q4", $"{firstYear - 1}", "1940-06", "1986-09", "2000-01", "9998",
            world.Next.Key, $"{world.Next.Year + 1}", $"{world.Month.Year + 1}-Q1"];

        foreach (var period in absent)
        {
            foreach (var url in new[]
            {
                $"/api/rankings?period={period}", $"/api/rankings?period={period}&level=branch",
                $"/api/exports/rankings.xlsx?period={period}", $"/api/exports/tasks.xlsx?period={period}",
            })
            {
                var response = await GetAsync(url, url.Contains("exports", StringComparison.Ordinal) ? staff : token);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode}");
                Assert.Equal("period.out_of_range", JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetString());
            }
        }
        foreach (var month in new[] { $"{firstYear - 1}-12", "1940-06", world.Next.Key })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync($"/api/mp/me/stars?period={month}", token)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync($"/api/mp/members/{me}/stars?period={month}", token)).StatusCode);
        }
        var page = await client.GetAsync($"/h5/ranking?token={token}&period=1940-06", Ct); // the ranking page, signed in by the token
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);

        Assert.Equal(cached, cache.LocalCount);
        Assert.Empty(builds.GetMeasurementSnapshot());
        // The first month and the current one exist.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/api/rankings?period={firstYear}-01", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/api/rankings?period={world.Month.Key}", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/api/rankings?period={world.Month.Year}", token)).StatusCode);
    }

    [Fact]
    public async Task A_caller_who_may_not_see_a_scope_is_refused_before_its_ranking_is_built()
    {
        var token = await world.TokenAsync(await world.HolderAsync("secretary", "DFL-C01-B01"));
        var cache = app.Get<RankingCache>();
        await cache.InvalidateAsync();
        using var builds = new MetricCollector<long>(app.Get<IMeterFactory>(), RankingQueries.MeterName, RankingQueries.BuiltCounter);

        var other = await GetAsync($"/api/rankings?period={world.Month.Key}&level=branch&scope={await world.OrgAsync("DFL-C02")}", token);

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("auth.forbidden", await other.Content.ReadAsStringAsync(Ct));
        Assert.Empty(builds.GetMeasurementSnapshot());
        Assert.Equal(0, cache.LocalCount);

        // Someone who may see it has it built once; the stranger is still refused, now from the cached copy.
        var staff = await world.TokenAsync(await world.HolderAsync("staff", "DFL"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync($"/api/rankings?period={world.Month.Key}&level=branch&scope={await world.OrgAsync("DFL-C02")}", staff)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync($"/api/rankings?period={world.Month.Key}&level=branch&scope={await world.OrgAsync("DFL-C02")}", token)).StatusCode);
        Assert.Single(builds.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task The_in_process_cache_keeps_at_most_its_configured_number_of_rankings()
    {
        using var cache = new RankingCache(app.Get<IConnectionMultiplexer>(),
            Options.Create(new AssessmentOptions { LocalCacheEntries = 10 }), NullLogger<RankingCache>.Instance);
        static Task<RankingView?> Build(int n) => Task.FromResult<RankingView?>(new RankingView($"{n}", $"{n}", "community",
            new RankingScope(n, "x", "/1/"), true, null, DateTimeOffset.UnixEpoch, []));

        for (var n = 0; n < 50; n++)
            await cache.GetOrLoadAsync("2026-11", 1_000_000 + n, RankingLevel.Community, _ => Build(n), Ct);

        Assert.InRange(cache.LocalCount, 1, 10);
    }

    [Fact]
    public async Task A_member_reads_their_own_stars_but_not_those_of_another_branchs_member()
    {
        var me = await world.MemberOfAsync("DFL-C01-B01");
        var stranger = await world.MemberOfAsync("DFL-C02-B01");
        var token = await world.TokenAsync(me);

        var mine = await GetAsync("/api/mp/me/stars", token);
        var theirs = await GetAsync($"/api/mp/members/{stranger}/stars", token);
        var staff = await GetAsync($"/api/mp/members/{stranger}/stars", await world.TokenAsync(await world.HolderAsync("staff", "DFL")));

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        var body = JsonDocument.Parse(await mine.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal((me, 1), (body.GetProperty("memberId").GetInt64(), body.GetProperty("stars").GetInt32()));
        Assert.Equal(HttpStatusCode.Forbidden, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, staff.StatusCode);
    }

    [Fact]
    public async Task Office_staff_export_rankings_and_task_status_as_spreadsheets_others_may_not()
    {
        await app.LetPeriodEndAsync(world.Month); // the month's tasks all due
        var staff = await world.TokenAsync(await world.HolderAsync("staff", "DFL"));
        var secretary = await world.TokenAsync(await world.HolderAsync("secretary", "DFL-C01-B01"));

        var rankings = await GetAsync($"/api/exports/rankings.xlsx?period={world.Month.Key}", staff);
        var tasks = await GetAsync($"/api/exports/tasks.xlsx?period={world.Month.Key}&scope={await world.OrgAsync("DFL-C01")}", staff);
        var refused = await GetAsync($"/api/exports/rankings.xlsx?period={world.Month.Key}", secretary);

        var sheets = new List<List<IDictionary<string, object>>>();
        foreach (var file in new[] { rankings, tasks })
        {
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            var bytes = await file.Content.ReadAsByteArrayAsync(Ct);
            Assert.Equal("PK"u8.ToArray(), bytes[..2]); // an .xlsx is a zip
            using var sheet = new MemoryStream(bytes);
            var rows = MiniExcelLibs.MiniExcel.Query(sheet, useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
            Assert.NotEmpty(rows);
            sheets.Add(rows);
        }
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // Ranks are numbers (the sheet sorts by them); a monthly task is due on the month's last day, as the mini program says.
        Assert.Equal(Enumerable.Range(1, 16).Select(n => (double)n), sheets[0].Select(r => Convert.ToDouble(r["排名"], CultureInfo.InvariantCulture)));
        var lastDay = Periods.LocalDate(world.Month.EndsAt).AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Contains(sheets[1], r => (string)r["期间"] == world.Month.Key && (string)r["截止日期"] == lastDay);
        Assert.DoesNotContain(sheets[1], r => ((string)r["截止日期"]).StartsWith(Periods.LocalDate(world.Month.EndsAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            && (string)r["期间"] == world.Month.Key);
    }

    [Fact]
    public async Task The_rankings_route_is_in_the_openapi_document()
    {
        var doc = await client.GetStringAsync("/openapi/v1.json", Ct);

        Assert.Contains("/api/rankings", doc);
        Assert.Contains("/api/mp/me/stars", doc);
    }

    [Fact]
    public async Task Requests_that_miss_the_cache_together_share_one_build_of_the_ranking()
    {
        var cache = app.Get<RankingCache>();
        var queries = app.Get<RankingQueries>();
        var scope = await world.OrgAsync("DFL");
        await cache.InvalidateAsync();
        var builds = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<RankingView?> Build(CancellationToken ct)
        {
            Interlocked.Increment(ref builds);
            await gate.Task.WaitAsync(ct);
            return await queries.BuildAsync(world.Month, scope, RankingLevel.Community, ct);
        }

        var waiting = Enumerable.Range(0, 20)
            .Select(_ => cache.GetOrLoadAsync(world.Month.Key, scope, RankingLevel.Community, Build, Ct)).ToList();
        using var impatient = new CancellationTokenSource();
        var givingUp = cache.GetOrLoadAsync(world.Month.Key, scope, RankingLevel.Community, Build, impatient.Token);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => givingUp);
        gate.SetResult();
        var answers = await Task.WhenAll(waiting);

        Assert.Equal(1, builds);
        Assert.All(answers, a => Assert.Same(answers[0].Ranking, a.Ranking));
        Assert.Equal(16, answers[0].Ranking!.View.Rows.Count);

        // The shared build is not kept: once the cache is retired, the next miss builds afresh.
        await cache.InvalidateAsync();
        var again = await cache.GetOrLoadAsync(world.Month.Key, scope, RankingLevel.Community, Build, Ct);
        Assert.Equal(2, builds);
        Assert.Equal(CacheOutcome.Miss, again.Outcome);
    }
}
