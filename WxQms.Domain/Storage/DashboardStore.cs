using Dapper;
using MySqlConnector;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Storage;

/// <summary>
/// One number of the dashboard and the list behind it: <see cref="Select"/> yields the rows (<see cref="DashboardItem"/>'s
/// columns) of the scope (<c>@pattern</c>) in the chosen period (<c>@from</c>, <c>@to</c>] at <c>@now</c>; the count is
/// <c>COUNT(*)</c> over the same text, so a count and its list cannot disagree. <see cref="Group"/> places it on the page
/// (tiles, the heatmap's classes, reminders, wishes). One more number is one more entry in <see cref="DashboardStore.Tiles"/>.
/// </summary>
public sealed record DashboardTile(string Key, string Label, string Group, string Select);

/// <summary>A row of a tile's list. <see cref="Title"/>: the ad-hoc task's, the wish's or the notice's own (else the duty's name).</summary>
/// Set by name (a <c>NULL AS …</c> column has no type a constructor could match).
public sealed record DashboardItem
{
    public long Id { get; init; }
    public long OrgId { get; init; }
    public string OrgName { get; init; } = "";
    public string OrgPath { get; init; } = "";
    public string? TemplateCode { get; init; }
    public int? TemplateVersion { get; init; }
    public string? Title { get; init; }
    public DateTime DueAt { get; init; }
    public string State { get; init; } = "";
    public string? Channel { get; init; }
}

/// <summary>The instants and filters a tile's query takes.</summary>
public sealed record DashboardWindow(DateTimeOffset Now, DateTimeOffset From, DateTimeOffset To, DateTimeOffset MonthEnd,
    DateTimeOffset QuarterEnd, DateTimeOffset WarnUntil, string? Duty = null, string? Channel = null);

/// <summary>The dashboard's reads (#20 item 1): each number is a tile's count, each list the same tile's rows.</summary>
public sealed class DashboardStore(MySqlDataSource db)
{
    public const string TaskGroup = "tasks";
    public const string HeatGroup = "heat";
    public const string ReminderGroup = "reminders";
    public const string WishGroup = "wishes";
    public const string NonconformityGroup = "nonconformities";

    private const string TaskColumns = """
        SELECT t.id AS Id, o.id AS OrgId, o.name AS OrgName, o.path AS OrgPath, t.template_code AS TemplateCode,
               t.template_version AS TemplateVersion, a.title AS Title, t.due_at AS DueAt, t.state AS State, NULL AS Channel
        FROM orgs o JOIN tasks t ON t.org_id = o.id LEFT JOIN adhoc_tasks a ON a.id = t.adhoc_task_id
        WHERE o.path LIKE @pattern AND t.due_at > @from AND t.due_at <= @to AND t.state <> 'cancelled'
          AND (@duty IS NULL OR t.template_code = @duty)
        """;

    /// <summary>Open past its due time, or marked overdue: the scoring's missed task (AssessmentStore.LoadTaskScoresAsync).</summary>
    private const string Missed = "(t.state = 'overdue' OR (t.state IN ('pending', 'planned', 'returned') AND t.due_at <= @now))";

    private const string LateEntry = $"""
        EXISTS (SELECT 1 FROM points_ledger l WHERE l.task_id = t.id AND l.subject_type = 'org' AND l.source = '{LedgerSources.CompletedLate}')
        """;

    private static DashboardTile TaskTile(string key, string label, string group, string where) =>
        new(key, label, group, $"{TaskColumns}\n  AND ({where})");

    private static DashboardTile ReminderTile(ReminderStatus status, string label) => new($"reminders_{DbNames.Of(status)}", label,
        ReminderGroup, $"""
        SELECT r.id AS Id, o.id AS OrgId, o.name AS OrgName, o.path AS OrgPath, NULL AS TemplateCode, NULL AS TemplateVersion,
               r.kind AS Title, r.due_at AS DueAt, r.status AS State, r.channel AS Channel
        FROM orgs o JOIN reminders r ON r.org_id = o.id
        WHERE o.path LIKE @pattern AND r.due_at > @from AND r.due_at <= @to AND r.status = '{DbNames.Of(status)}'
          AND (@channel IS NULL OR r.channel = @channel)
        """);

    private static DashboardTile WishTile(WishStatus status, string label) => new($"wishes_{DbNames.Of(status)}", label, WishGroup, $"""
        SELECT w.id AS Id, o.id AS OrgId, o.name AS OrgName, o.path AS OrgPath, NULL AS TemplateCode, NULL AS TemplateVersion,
               w.title AS Title, w.posted_at AS DueAt, w.status AS State, NULL AS Channel
        FROM orgs o JOIN wishes w ON w.community_id = o.id
        WHERE o.path LIKE @pattern AND w.posted_at > @from AND w.posted_at <= @to AND w.status = '{DbNames.Of(status)}'
        """);

    /// <summary>
    /// A tile of the nonconformity register (#19): its rows in the scope; <c>DueAt</c> is when it was raised, <c>Title</c> what
    /// was found. <paramref name="where"/> narrows to the period itself (by raising, or by the countermeasure's due day).
    /// </summary>
    private static DashboardTile NonconformityTile(string key, string label, string where) => new(key, label, NonconformityGroup, $"""
        SELECT n.id AS Id, o.id AS OrgId, o.name AS OrgName, o.path AS OrgPath, NULL AS TemplateCode, NULL AS TemplateVersion,
               n.description AS Title, n.raised_at AS DueAt, n.state AS State, NULL AS Channel
        FROM orgs o JOIN nonconformities n ON n.org_id = o.id
        WHERE o.path LIKE @pattern AND ({where})
        """);

    /// <summary>Every number of the dashboard, in the order shown.</summary>
    public static readonly IReadOnlyList<DashboardTile> Tiles =
    [
        TaskTile("in_progress", "进行中", TaskGroup, "t.state IN ('pending', 'planned', 'submitted', 'returned') AND t.opens_at <= @now AND t.due_at > @now"),
        TaskTile("due_month", "本月到期", TaskGroup, "t.state IN ('pending', 'planned', 'submitted', 'returned') AND t.due_at > @now AND t.due_at <= @monthEnd"),
        TaskTile("due_quarter", "本季到期", TaskGroup, "t.state IN ('pending', 'planned', 'submitted', 'returned') AND t.due_at > @now AND t.due_at <= @quarterEnd"),
        TaskTile("overdue", "逾期", TaskGroup, Missed),
        TaskTile("warned", "预警", TaskGroup, "t.state IN ('pending', 'planned', 'returned') AND t.due_at > @now AND t.due_at <= @warnUntil"),
        TaskTile("awaiting_review", "待审核", TaskGroup, "t.state = 'completed' AND t.review_status = 'awaiting'"),
        TaskTile("on_time", "按时完成", HeatGroup, $"t.state = 'completed' AND NOT {LateEntry}"),
        TaskTile("late", "逾期完成", HeatGroup, $"t.state = 'completed' AND {LateEntry}"),
        TaskTile("missed", "未完成", HeatGroup, Missed),
        TaskTile("not_due", "未到期", HeatGroup, $"t.due_at > @now AND NOT {Missed} AND t.state <> 'completed'"),
        NonconformityTile("nc_open", "未关闭不符合项", "n.raised_at > @from AND n.raised_at <= @to AND n.state <> 'closed'"),
        // The assessment's deduction counts the same: a countermeasure due on a day of the period, recorded and not done by today.
        NonconformityTile("capa_past_due", "纠正措施逾期",
            "n.state = 'action_recorded' AND n.action_due_on >= @firstDay AND n.action_due_on <= @lastDay AND n.action_due_on < @today"),
        ReminderTile(ReminderStatus.Sent, "已送达"),
        ReminderTile(ReminderStatus.Failed, "被拒收"),
        ReminderTile(ReminderStatus.Unreachable, "无法送达"),
        WishTile(WishStatus.Reviewing, "待审核"),
        WishTile(WishStatus.Published, "待认领"),
        WishTile(WishStatus.Claimed, "已认领"),
        WishTile(WishStatus.Fulfilled, "待确认"),
        WishTile(WishStatus.Lit, "已点亮"),
        WishTile(WishStatus.Refused, "未通过"),
        WishTile(WishStatus.Cancelled, "已撤销"),
    ];

    public static DashboardTile? Tile(string? key) => Tiles.FirstOrDefault(t => t.Key == key);

    /// <summary>The most rows a list shows (a count above it says so).</summary>
    public const int ListLimit = 10_000;

    /// <summary>
    /// Every tile's count per org of the scope (by org path; the caller rolls them up): one round trip, the tiles'
    /// own texts under <c>COUNT(*)</c>. Reminders are also counted per channel (key <c>reminders_sent:oa</c>).
    /// </summary>
    public async Task<IReadOnlyList<(string Tile, string OrgPath, string? Channel, int Count)>> CountAsync(string scopePath,
        DashboardWindow w, CancellationToken ct)
    {
        var sql = string.Join("\nUNION ALL\n", Tiles.Select((t, i) =>
            $"SELECT @k{i} AS Tile, x.OrgPath, x.Channel, COUNT(*) AS Count FROM (\n{t.Select}\n) x GROUP BY x.OrgPath, x.Channel"));
        var args = Args(scopePath, w);
        for (var i = 0; i < Tiles.Count; i++)
            args.Add($"k{i}", Tiles[i].Key);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string, string, string?, long)>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.Select(r => (r.Item1, r.Item2, r.Item3, (int)r.Item4)).ToList();
    }

    /// <summary>The rows behind one tile in the subtree under <paramref name="scopePath"/>, soonest first, at most <see cref="ListLimit"/>.</summary>
    public async Task<IReadOnlyList<DashboardItem>> ListAsync(DashboardTile tile, string scopePath, DashboardWindow w, CancellationToken ct)
    {
        var args = Args(scopePath, w);
        args.Add("limit", ListLimit);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DashboardItem>(new CommandDefinition($"{tile.Select}\nORDER BY DueAt, Id LIMIT @limit", args,
            cancellationToken: ct))).ToList();
    }

    /// <summary>The heatmap's cells: per org path, duty and class (the heat tiles), for tasks due in the window.</summary>
    public async Task<IReadOnlyList<(string OrgPath, string Duty, string Class, int Count)>> HeatAsync(string scopePath, DashboardWindow w,
        CancellationToken ct)
    {
        var heat = Tiles.Where(t => t.Group == HeatGroup).ToList();
        var sql = string.Join("\nUNION ALL\n", heat.Select((t, i) =>
            $"SELECT @k{i} AS Class, x.OrgPath, x.TemplateCode, COUNT(*) AS Count FROM (\n{t.Select}\n) x GROUP BY x.OrgPath, x.TemplateCode"));
        var args = Args(scopePath, w);
        for (var i = 0; i < heat.Count; i++)
            args.Add($"k{i}", heat[i].Key);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string, string, string, long)>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.Select(r => (r.Item2, r.Item3, r.Item1, (int)r.Item4)).ToList();
    }

    /// <summary>Per month of due time (Shanghai's month key from the caller's bounds): tasks done on time, and tasks due so far.</summary>
    public async Task<(int OnTime, int Due)> OnTimeAsync(string scopePath, DashboardWindow w, CancellationToken ct)
    {
        var onTime = Tile("on_time")!;
        var sql = $"""
            SELECT (SELECT COUNT(*) FROM ({onTime.Select}) x) AS OnTime,
                   (SELECT COUNT(*) FROM ({TaskColumns} AND t.due_at <= @now) y) AS Due
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleAsync<(long, long)>(new CommandDefinition(sql, Args(scopePath, w), cancellationToken: ct));
        return ((int)row.Item1, (int)row.Item2);
    }

    /// <summary>The orgs directly under <paramref name="parentId"/>, in their order.</summary>
    public async Task<IReadOnlyList<(long Id, string Name, string Path)>> ChildrenAsync(long parentId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long, string, string)>(new CommandDefinition("""
            SELECT id, name, path FROM orgs WHERE parent_id = @parentId AND dissolved_on IS NULL ORDER BY sort_order, id
            """, new { parentId }, cancellationToken: ct))).ToList();
    }

    private static DynamicParameters Args(string scopePath, DashboardWindow w)
    {
        var args = new DynamicParameters();
        args.Add("pattern", OrgPath.SubtreePattern(scopePath));
        args.Add("from", w.From.UtcDateTime);
        args.Add("to", w.To.UtcDateTime);
        args.Add("now", w.Now.UtcDateTime);
        args.Add("monthEnd", w.MonthEnd.UtcDateTime);
        args.Add("quarterEnd", w.QuarterEnd.UtcDateTime);
        args.Add("warnUntil", w.WarnUntil.UtcDateTime);
        args.Add("firstDay", Periods.LocalDate(w.From).ToDateTime(TimeOnly.MinValue));
        args.Add("lastDay", Periods.LocalDate(w.To.AddTicks(-1)).ToDateTime(TimeOnly.MinValue));
        args.Add("today", Periods.LocalDate(w.Now).ToDateTime(TimeOnly.MinValue));
        args.Add("duty", w.Duty);
        args.Add("channel", w.Channel);
        return args;
    }
}
