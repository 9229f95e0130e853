using System.Diagnostics.Metrics;
using System.Globalization;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Services.Assessment;

/// <summary>One org in a ranking. <see cref="Ratio"/> is earned ÷ possible (null: no tasks in the period).</summary>
public sealed record RankingRow(long OrgId, string Name, string KindLabel, string Path, int? Rank, decimal Possible, decimal Earned,
    decimal Carried, decimal? Ratio, int Tasks, int Missed);

public sealed record RankingScope(long Id, string Name, string Path);

/// <summary>A ranking as served: the same bytes for everyone who may see it (the viewer is marked by the client).</summary>
public sealed record RankingView(string Period, string PeriodLabel, string Level, RankingScope Scope, bool Provisional,
    DateTimeOffset? ClosedAt, DateTimeOffset AsOf, IReadOnlyList<RankingRow> Rows);

public sealed class RankingQueries(AssessmentService assessment, IMeterFactory meters)
{
    public const string MeterName = "WxQms.Assessment";

    /// <summary>Counts rankings computed from MySQL: what every cache miss costs.</summary>
    public const string BuiltCounter = "wxqms.rankings.built";

    private readonly Counter<long> built = meters.Create(MeterName).CreateCounter<long>(BuiltCounter, description: "rankings computed from MySQL");

    /// <summary>The ranking of <paramref name="level"/> orgs around <paramref name="scopeId"/>, or null when there is no such org.</summary>
    public async Task<RankingView?> BuildAsync(Period period, long scopeId, RankingLevel level, CancellationToken ct)
    {
        built.Add(1);
        var results = await assessment.GetResultsAsync(period, ct);
        var named = results.Lines.FirstOrDefault(l => l.Org.Id == scopeId);
        if (named is null)
            return null;
        var scopePath = RankingAccess.NormaliseScope(named.Org.Path, level);
        var scope = results.Lines.First(l => l.Org.Path == scopePath).Org;
        var rows = PeriodAssessment.Rows(results.Lines, scopePath, level)
            .Select(r => new RankingRow(r.Line.Org.Id, r.Line.Org.Name, OrgTree.KindLabel(r.Line.Org.Kind), r.Line.Org.Path, r.Rank,
                r.Line.Result.Possible, r.Line.Result.Earned, r.Line.Result.Carried, r.Line.Result.Ratio, r.Line.Result.Tasks,
                r.Line.Result.Missed))
            .ToList();
        return new RankingView(period.Key, Label(period), level == RankingLevel.Community ? "community" : "branch",
            new RankingScope(scope.Id, scope.Name, scope.Path), results.Provisional, results.ClosedAt, results.AsOf, rows);
    }

    /// <summary>"2026年11月", "2026年第4季度", "2026年".</summary>
    public static string Label(Period p) => p.Kind switch
    {
        RecurrenceKind.Monthly => string.Create(CultureInfo.InvariantCulture, $"{p.Year}年{p.Index}月"),
        RecurrenceKind.Quarterly => string.Create(CultureInfo.InvariantCulture, $"{p.Year}年第{p.Index}季度"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{p.Year}年"),
    };

    public static bool TryParseLevel(string? value, out RankingLevel level)
    {
        level = RankingLevel.Community;
        switch (value)
        {
            case null or "" or "community":
                return true;
            case "branch":
                level = RankingLevel.Branch;
                return true;
            default:
                return false;
        }
    }
}
