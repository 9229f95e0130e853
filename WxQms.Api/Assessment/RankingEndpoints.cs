using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using WxQms.Api.H5;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Assessment;

/// <summary>What a ranking request names once defaults are applied.</summary>
public sealed record RankingRequest(Period Period, long ScopeId, RankingLevel Level);

/// <summary>
/// Rankings (issue #6). <c>GET /api/rankings</c> serves the same cached bytes to
/// everyone who may see a ranking, with an ETag: a client that sends it back gets 304 until the ranking
/// changes (a close, or the live month's short cache expiring with new points).
/// </summary>
public static class RankingEndpoints
{
    public static IEndpointRouteBuilder MapRankings(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/rankings").WithTags("Assessment").RequireAuthorization(MpAuth.Policy).RequireRateLimiting(RateLimits.Rankings)
            .MapGet("/", GetRanking)
            .WithSummary("Org ranking for a period (2026-11, 2026-Q4, 2026) and level (community | branch) around a scope org; ETag / 304")
            .Produces<RankingView>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static async Task<IResult> GetRanking(string? period, long? scope, string? level, HttpContext http, CurrentUser user,
        RankingCache cache, RankingQueries queries, OrgStore orgs, AssessedPeriods periods, CancellationToken ct)
    {
        var grants = user.Roles;
        var (request, problem) = Resolve(period, scope, level, grants, periods);
        if (problem is not null)
            return problem;
        var (ranking, outcome, refused) = await LoadForAsync(request!, grants, cache, queries, orgs, ct);
        if (ranking is null)
            return refused!;

        http.Response.Headers.ETag = ranking.ETag;
        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.SetCacheOutcome(outcome);
        if (Matches(http.Request.Headers.IfNoneMatch, ranking.ETag))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return new JsonBytes(ranking.Json);
    }

    /// <summary>
    /// JSON serialised once and cached, written as it is: the file result of <c>TypedResults.Bytes</c> also
    /// weighs range and precondition headers, which a ranking never needs (issue #6 benchmark).
    /// </summary>
    private sealed class JsonBytes(ReadOnlyMemory<byte> json) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            http.Response.ContentLength = json.Length;
            var write = http.Response.BodyWriter.WriteAsync(json, http.RequestAborted);
            return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
        }
    }

    /// <summary>
    /// The ranking <paramref name="grants"/> asked for, once it is known they may see it: a ranking this process holds
    /// is judged by its own scope, any other by the scope org's path (one indexed read) before anything is built or
    /// cached. The problem is 404 for an unknown org, 403 for a scope the caller may not see.
    /// </summary>
    internal static async ValueTask<(CachedRanking? Ranking, CacheOutcome Outcome, ProblemHttpResult? Problem)> LoadForAsync(
        RankingRequest r, IReadOnlyList<Grant> grants, RankingCache cache, RankingQueries queries, OrgStore orgs, CancellationToken ct)
    {
        if (cache.TryGetLocal(r.Period.Key, r.ScopeId, r.Level, out var hit))
            return RankingAccess.CanSee(grants, hit.View.Scope.Path) ? (hit, CacheOutcome.Hit, null) : (null, CacheOutcome.Hit, Forbidden());
        if (await orgs.GetAsync(r.ScopeId, ct) is not { } org)
            return (null, CacheOutcome.Miss, OrgNotFound(r.ScopeId));
        if (!RankingAccess.CanSee(grants, RankingAccess.NormaliseScope(org.Path, r.Level)))
            return (null, CacheOutcome.Miss, Forbidden());
        var (ranking, outcome) = await LoadThroughRedisAsync(r, cache, queries, ct);
        return (ranking, outcome, ranking is null ? OrgNotFound(r.ScopeId) : null);
    }

    private static ProblemHttpResult Forbidden() =>
        Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该范围的排名", "auth.forbidden");

    private static ProblemHttpResult OrgNotFound(long id) =>
        Problem(StatusCodes.Status404NotFound, "未找到", $"组织 {id} 不存在", "org.not_found");

    /// <summary>A ranking without an access check: for callers who may see every ranking (office staff's exports).</summary>
    internal static ValueTask<(CachedRanking? Ranking, CacheOutcome Outcome)> LoadAsync(RankingRequest r, RankingCache cache,
        RankingQueries queries, CancellationToken ct) =>
        cache.TryGetLocal(r.Period.Key, r.ScopeId, r.Level, out var hit)
            ? ValueTask.FromResult<(CachedRanking?, CacheOutcome)>((hit, CacheOutcome.Hit))
            : new(LoadThroughRedisAsync(r, cache, queries, ct));

    // Apart from LoadAsync so that a local hit does not allocate the loader's closure.
    private static Task<(CachedRanking? Ranking, CacheOutcome Outcome)> LoadThroughRedisAsync(RankingRequest r, RankingCache cache,
        RankingQueries queries, CancellationToken ct) =>
        cache.GetOrLoadAsync(r.Period.Key, r.ScopeId, r.Level, c => queries.BuildAsync(r.Period, r.ScopeId, r.Level, c), ct);

    /// <summary>
    /// Defaults: the last closed month (the live month ranks only what is due so far, little in its first days); the viewer's subdistrict (communities) or community (branches). A period before go-live
    /// or not yet begun is refused (400 <c>period.out_of_range</c>): nothing exists to rank there.
    /// </summary>
    internal static (RankingRequest? Request, ProblemHttpResult? Problem) Resolve(string? period, long? scope, string? level,
        IReadOnlyList<Grant> grants, AssessedPeriods periods)
    {
        if (!RankingQueries.TryParseLevel(level, out var parsedLevel))
            return (null, Problem(StatusCodes.Status400BadRequest, "参数无效", "level 只能是 community 或 branch", "request.invalid"));
        Period parsedPeriod;
        if (string.IsNullOrEmpty(period))
            parsedPeriod = periods.LastClosedMonth();
        else if (!Periods.TryParse(period, out parsedPeriod))
            return (null, Problem(StatusCodes.Status400BadRequest, "参数无效", $"无法识别的期间“{period}”，应如 2026-11、2026-Q4 或 2026", "request.invalid"));
        if (!periods.Exists(parsedPeriod))
            return (null, OutOfRange(period!, periods));
        var scopeId = scope ?? RankingAccess.DefaultScope(grants, parsedLevel);
        if (scopeId is null)
            return (null, Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_bound"));
        return (new RankingRequest(parsedPeriod, scopeId.Value, parsedLevel), null);
    }

    internal static ProblemHttpResult OutOfRange(string period, AssessedPeriods periods) =>
        Problem(StatusCodes.Status400BadRequest, "期间超出范围", periods.Describe(period), "period.out_of_range");

    internal static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            if (value is null)
                continue;
            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
                if (tag == "*" || tag == etag)
                    return true;
            }
        }
        return false;
    }
}
