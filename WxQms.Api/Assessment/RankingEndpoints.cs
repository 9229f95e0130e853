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

namespace WxQms.Api.Assessment;

public sealed record StarsDto(long MemberId, string Name, long OrgId, string Period, string PeriodLabel, decimal Points, decimal PointsYear,
    int Stars, string StarsLabel, AppraisalGrade? Grade, bool Provisional, IReadOnlyList<decimal> Thresholds);

/// <summary>What a ranking request names once defaults are applied.</summary>
public sealed record RankingRequest(Period Period, long ScopeId, RankingLevel Level);

/// <summary>
/// Rankings and star ratings (issue #6). <c>GET /api/rankings</c> serves the same cached bytes to
/// everyone who may see a ranking, with an ETag: a client that sends it back gets 304 until the ranking
/// changes (a close, or the live month's short cache expiring with new points).
/// </summary>
public static class RankingEndpoints
{
    public static IEndpointRouteBuilder MapAssessment(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/rankings").WithTags("Assessment").RequireAuthorization(MpAuth.Policy).RequireRateLimiting(RateLimits.Rankings)
            .MapGet("/", GetRanking)
            .WithSummary("Org ranking for a period (2026-11, 2026-Q4, 2026) and level (community | branch) around a scope org; ETag / 304")
            .Produces<RankingView>()
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var mp = app.MapGroup("/api/mp").WithTags("Assessment").RequireAuthorization(MpAuth.Policy);
        mp.MapGet("/me/stars", MyStars).WithSummary("My points and star rating for a month (default: this month, provisional)");
        mp.MapGet("/members/{id:long}/stars", MemberStars).WithSummary("A member's points and stars, for those who may read the member's org");

        app.MapExports();
        app.MapRankingPage();
        return app;
    }

    internal static async Task<IResult> GetRanking(string? period, long? scope, string? level, HttpContext http, CurrentUser user,
        RankingCache cache, RankingQueries queries, TimeProvider clock, CancellationToken ct)
    {
        var grants = user.Roles;
        var (request, problem) = Resolve(period, scope, level, grants, clock);
        if (problem is not null)
            return problem;
        var (ranking, outcome) = await LoadAsync(request!, cache, queries, ct);
        if (ranking is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", $"组织 {request!.ScopeId} 不存在", "org.not_found");
        if (!RankingAccess.CanSee(grants, ranking.View.Scope.Path))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该范围的排名", "auth.forbidden");

        http.Response.Headers.ETag = ranking.ETag;
        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.Headers["X-Cache"] = outcome switch { CacheOutcome.Hit => "hit", CacheOutcome.Miss => "miss", _ => "bypass" };
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

    internal static ValueTask<(CachedRanking? Ranking, CacheOutcome Outcome)> LoadAsync(RankingRequest r, RankingCache cache,
        RankingQueries queries, CancellationToken ct) =>
        cache.TryGetLocal(r.Period.Key, r.ScopeId, r.Level, out var hit)
            ? ValueTask.FromResult<(CachedRanking?, CacheOutcome)>((hit, CacheOutcome.Hit))
            : new(LoadThroughRedisAsync(r, cache, queries, ct));

    // Apart from LoadAsync so that a local hit does not allocate the loader's closure.
    private static Task<(CachedRanking? Ranking, CacheOutcome Outcome)> LoadThroughRedisAsync(RankingRequest r, RankingCache cache,
        RankingQueries queries, CancellationToken ct) =>
        cache.GetOrLoadAsync(r.Period.Key, r.ScopeId, r.Level, c => queries.BuildAsync(r.Period, r.ScopeId, r.Level, c), ct);

    /// <summary>Defaults: this month; the viewer's subdistrict (communities) or community (branches).</summary>
    internal static (RankingRequest? Request, ProblemHttpResult? Problem) Resolve(string? period, long? scope, string? level,
        IReadOnlyList<Grant> grants, TimeProvider clock)
    {
        if (!RankingQueries.TryParseLevel(level, out var parsedLevel))
            return (null, Problem(StatusCodes.Status400BadRequest, "参数无效", "level 只能是 community 或 branch", "request.invalid"));
        Period parsedPeriod;
        if (string.IsNullOrEmpty(period))
            parsedPeriod = CurrentMonth(clock.GetUtcNow());
        else if (!Periods.TryParse(period, out parsedPeriod))
            return (null, Problem(StatusCodes.Status400BadRequest, "参数无效", $"无法识别的期间“{period}”，应如 2026-11、2026-Q4 或 2026", "request.invalid"));
        var scopeId = scope ?? RankingAccess.DefaultScope(grants, parsedLevel);
        if (scopeId is null)
            return (null, Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_bound"));
        return (new RankingRequest(parsedPeriod, scopeId.Value, parsedLevel), null);
    }

    private static Period? currentMonth;

    /// <summary>This month, worked out (time zones and all) once a month rather than once a request.</summary>
    private static Period CurrentMonth(DateTimeOffset now)
    {
        var month = currentMonth;
        if (month is null || now < month.StartsAt || now >= month.EndsAt)
            currentMonth = month = Periods.Containing(Recurrence.Monthly, now);
        return month;
    }

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

    internal static async Task<Results<Ok<StarsDto>, ProblemHttpResult>> MyStars(string? period, CurrentUser user,
        AssessmentService assessment, Microsoft.Extensions.Options.IOptions<AssessmentOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_bound");
        return await StarsAsync(memberId, period, assessment, options.Value, clock, ct);
    }

    internal static async Task<Results<Ok<StarsDto>, ProblemHttpResult>> MemberStars(long id, string? period, CurrentUser user,
        OrgStore orgs, MemberStore members, AssessmentService assessment, Microsoft.Extensions.Options.IOptions<AssessmentOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var member = await members.GetAsync(id, ct);
        var org = member is null ? null : await orgs.GetAsync(member.OrgId, ct);
        if (member is null || org is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", $"党员 {id} 不存在", "member.not_found");
        if (user.MemberId != id && !user.CanRead(org.Path))
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该党员的星级", "auth.forbidden");
        return await StarsAsync(id, period, assessment, options.Value, clock, ct);
    }

    private static async Task<Results<Ok<StarsDto>, ProblemHttpResult>> StarsAsync(long memberId, string? period,
        AssessmentService assessment, AssessmentOptions options, TimeProvider clock, CancellationToken ct)
    {
        Period month;
        if (string.IsNullOrEmpty(period))
            month = Periods.Containing(Recurrence.Monthly, clock.GetUtcNow());
        else if (!Periods.TryParse(period, out month) || month.Kind != RecurrenceKind.Monthly)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "星级按月查询，period 应如 2026-11", "request.invalid");
        var (stars, provisional) = await assessment.MemberStarsAsync(memberId, month, ct);
        if (stars is null)
            return Problem(StatusCodes.Status404NotFound, "未找到", "该党员在这个月没有星级记录", "stars.not_found");
        return TypedResults.Ok(new StarsDto(stars.MemberId, stars.Name, stars.OrgId, month.Key, RankingQueries.Label(month), stars.Points,
            stars.PointsYear, stars.Stars, Stars.Label(stars.Stars), stars.Grade, provisional, options.StarThresholds));
    }

    internal static ProblemHttpResult Problem(int status, string title, string detail, string code) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["code"] = code });
}
