using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Dashboard;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Dashboard;

public sealed record DashboardOrg(long Id, string Name, string Path);

/// <summary>A tile's count for the org looked at and for each org under it (by org id).</summary>
public sealed record DashboardCount(DashboardTile Tile, int Total, IReadOnlyDictionary<long, int> ByOrg,
    IReadOnlyDictionary<string, int> ByChannel);

/// <summary>A duty's heatmap row: per org under the one looked at, its tasks of the year by class (the heat tiles' keys).</summary>
public sealed record HeatRow(string Duty, string Name, IReadOnlyDictionary<long, IReadOnlyDictionary<string, int>> Cells);

/// <summary>A month of the trend: the assessment's result (earned ÷ possible; null: nothing due) and the share done on time.</summary>
public sealed record TrendPoint(string Month, decimal? Result, decimal? OnTime, int OnTimeCount, int Due);

/// <summary>What the dashboard shows for <see cref="Org"/> (within the viewer's <see cref="Scope"/>) in <see cref="Period"/>.</summary>
public sealed record DashboardView(DashboardOrg Scope, DashboardOrg Org, Period Period, DateTimeOffset AsOf,
    IReadOnlyList<DashboardOrg> Children, IReadOnlyList<DashboardCount> Counts, IReadOnlyList<HeatRow> Heat,
    IReadOnlyList<TrendPoint> Trend);

/// <summary>One tile's list: the rows and their titles (a duty's name, the ad-hoc task's, the wish's).</summary>
public sealed record DashboardList(DashboardOrg Org, DashboardTile Tile, Period Period, IReadOnlyList<(DashboardItem Item, string Title)> Items);

/// <summary>Why a dashboard cannot be shown.</summary>
public enum DashboardRefusal
{
    None,
    /// <summary>The viewer has no dashboard (not office staff, not a community's secretary).</summary>
    NoScope,
    /// <summary>The org asked for is not in the viewer's scope, or does not exist.</summary>
    OutOfScope,
}

/// <summary>
/// The office dashboard (#20 item 1): for the viewer's widest scope (<see cref="DashboardScope"/>) and a period (default this
/// year), the tiles' counts per org under it, the year's heatmap of orgs × duties, the monthly trend of the result (the
/// ranking's own numbers) and of on-time completion, reminders by outcome and channel, wishes by status. Each count is a
/// tile of <see cref="DashboardStore"/> and its list is the same tile's rows.
/// </summary>
public sealed class DashboardService(DashboardStore store, OrgStore orgs, AssessmentService assessment, ITaskCatalogueSource duties,
    TrendCache trends, TimeProvider clock)
{
    /// <summary>The viewer's scope and the org asked for (default the scope), or why not.</summary>
    public async Task<(DashboardOrg? Scope, DashboardOrg? Org, DashboardRefusal Refusal)> ResolveAsync(IReadOnlyList<Grant> grants,
        long? orgId, CancellationToken ct)
    {
        if (DashboardScope.Widest(grants) is not { } grant || await orgs.GetAsync(grant.OrgId, ct) is not { } scopeOrg)
            return (null, null, DashboardRefusal.NoScope);
        var scope = new DashboardOrg(scopeOrg.Id, scopeOrg.Name, scopeOrg.Path);
        if (orgId is null || orgId == scope.Id)
            return (scope, scope, DashboardRefusal.None);
        if (await orgs.GetAsync(orgId.Value, ct) is not { } org || !DashboardScope.Covers(scope.Path, org.Path))
            return (scope, null, DashboardRefusal.OutOfScope);
        return (scope, new DashboardOrg(org.Id, org.Name, org.Path), DashboardRefusal.None);
    }

    /// <summary>The period a dashboard opens on: this year so far.</summary>
    public Period DefaultPeriod() => Periods.Containing(Recurrence.Yearly, clock.GetUtcNow());

    public DashboardWindow Window(Period period, string? duty = null, string? channel = null)
    {
        var now = clock.GetUtcNow();
        return new DashboardWindow(now, period.StartsAt, period.EndsAt, Periods.Containing(Recurrence.Monthly, now).EndsAt,
            Periods.Containing(Recurrence.Quarterly, now).EndsAt, now + TaskQueries.WarningWindow, duty, channel);
    }

    public async Task<DashboardView> BuildAsync(DashboardOrg scope, DashboardOrg org, Period period, CancellationToken ct)
    {
        var children = (await store.ChildrenAsync(org.Id, ct)).Select(c => new DashboardOrg(c.Id, c.Name, c.Path)).ToList();
        long? ChildOf(string path) => children.FirstOrDefault(c => OrgPath.IsWithin(path, c.Path))?.Id;

        var rows = await store.CountAsync(org.Path, Window(period), ct);
        var counts = DashboardStore.Tiles.Select(tile =>
        {
            var mine = rows.Where(r => r.Tile == tile.Key).ToList();
            var byOrg = mine.Select(r => (Child: ChildOf(r.OrgPath), r.Count)).Where(x => x.Child is not null)
                .GroupBy(x => x.Child!.Value).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
            var byChannel = mine.Where(r => r.Channel is not null).GroupBy(r => r.Channel!).ToDictionary(g => g.Key, g => g.Sum(x => x.Count));
            return new DashboardCount(tile, mine.Sum(r => r.Count), byOrg, byChannel);
        }).ToList();

        var year = Periods.For(RecurrenceKind.Yearly, period.Year, 1);
        var catalogue = await duties.GetAsync(ct);
        var heat = (await store.HeatAsync(org.Path, Window(year), ct))
            .Select(h => (h.Duty, Child: ChildOf(h.OrgPath), h.Class, h.Count)).Where(h => h.Child is not null)
            .GroupBy(h => h.Duty)
            .Select(g => new HeatRow(g.Key, DutyName(catalogue, g.Key, null),
                g.GroupBy(h => h.Child!.Value).ToDictionary(c => c.Key,
                    c => (IReadOnlyDictionary<string, int>)c.GroupBy(x => x.Class).ToDictionary(x => x.Key, x => x.Sum(y => y.Count)))))
            .OrderBy(r => r.Name, StringComparer.Ordinal)
            .ToList();

        return new DashboardView(scope, org, period, clock.GetUtcNow(), children, counts, heat, await TrendAsync(org, year, ct));
    }

    /// <summary>
    /// Each month of the year begun so far: the ranking's result for the org, and tasks done on time of those due. Cached
    /// (<see cref="TrendCache"/>) per org, year and current month, until a change to tasks or rankings retires it.
    /// </summary>
    private async Task<IReadOnlyList<TrendPoint>> TrendAsync(DashboardOrg org, Period year, CancellationToken ct)
    {
        var month = Periods.Containing(Recurrence.Monthly, clock.GetUtcNow()).Key;
        var (trend, _) = await trends.GetOrLoadAsync($"dashboard-trend:{org.Id}:{year.Key}:{month}", c => LoadTrendAsync(org, year, c), ct);
        return trend;
    }

    private async Task<IReadOnlyList<TrendPoint>> LoadTrendAsync(DashboardOrg org, Period year, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var points = new List<TrendPoint>(12);
        for (var m = 1; m <= 12; m++)
        {
            var month = Periods.For(RecurrenceKind.Monthly, year.Year, m);
            if (month.StartsAt > now)
                break;
            var results = await assessment.GetResultsAsync(month, ct);
            var result = results.Lines.FirstOrDefault(l => l.Org.Id == org.Id)?.Result.Ratio;
            var (onTime, due) = await store.OnTimeAsync(org.Path, Window(month), ct);
            points.Add(new TrendPoint(month.Key, result, due > 0 ? Math.Round((decimal)onTime / due, 4) : null, onTime, due));
        }
        return points;
    }

    /// <summary>The rows behind a tile for <paramref name="org"/>, titled.</summary>
    public async Task<DashboardList> ListAsync(DashboardOrg org, DashboardTile tile, Period period, string? duty, string? channel,
        CancellationToken ct)
    {
        var items = await store.ListAsync(tile, org.Path, Window(period, duty, channel), ct);
        var catalogue = await duties.GetAsync(ct);
        return new DashboardList(org, tile, period, items.Select(i => (i, i.Title ?? DutyName(catalogue, i.TemplateCode, i.TemplateVersion))).ToList());
    }

    public static string DutyName(TaskCatalogue catalogue, string? code, int? version)
    {
        if (code is null)
            return "";
        if (version is { } v && catalogue.Versions(code).Any(t => t.Version == v))
            return catalogue.Get(code, v).Name;
        return catalogue.Versions(code).LastOrDefault()?.Name ?? (code.StartsWith("adhoc", StringComparison.Ordinal) ? "临时任务" : code);
    }
}
