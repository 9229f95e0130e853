using System.Globalization;
using System.Text;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.ManagementReview;
using WxQms.Domain.Services.ManagementReview;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The management review pack as sheets (name → rows of column → value), in the order of the printed page: the workbook
/// writes them as they are and the page renders the same rows, so the two never tell different numbers.
/// </summary>
public static class ReviewWorkbook
{
    public const string Results = "考核结果";
    public const string TotalLabel = "合计";
    public const string Nonconformities = "不合格与纠正措施";
    public const string None = "暂无";

    /// <summary>The page's sections: a title and the sheets it shows.</summary>
    public static readonly IReadOnlyList<(string Title, string[] Sheets)> Sections =
    [
        ("一、考核结果与年度目标", [Results, "目标达成"]),
        ("二、薄弱环节", ["薄弱职责", "薄弱组织"]),
        ("三、重复出现的问题", ["重复问题"]),
        ("四、提醒、微心愿与党费", ["提醒送达", "提醒渠道", "微心愿", "党费欠缴"]),
        ("五、不合格与纠正措施", [Nonconformities]),
        ("六、上次评审决定落实情况", ["上次评审决定"]),
        ("七、本次评审决定", ["本次评审决定"]),
    ];

    public static string Title(ReviewPack pack) => $"{pack.Ranking.Scope.Name}{pack.Period.Label}管理评审报告";

    public static Dictionary<string, object> Sheets(ReviewPack pack)
    {
        var sheets = new Dictionary<string, object> { ["概况"] = Overview(pack) };
        foreach (var (name, rows) in Rows(pack))
            sheets[name] = rows.Count == 0 ? Empty(None) : rows;
        return sheets;
    }

    private static List<Dictionary<string, object?>> Empty(string text) => [new() { ["说明"] = text }];

    /// <summary>The sheets of the sections, in order; an empty list is a section with nothing to show (暂无).</summary>
    public static IEnumerable<(string Name, List<Dictionary<string, object?>> Rows)> Rows(ReviewPack pack)
    {
        var results = pack.Orgs.Select(o => new Dictionary<string, object?>
        {
            ["排名"] = o.Row.Rank is { } rank ? rank : "—", ["组织"] = o.Row.Name, ["类别"] = o.Row.KindLabel,
            ["得分"] = o.Row.Earned + o.Row.Carried, ["应得分"] = o.Row.Possible, ["完成率"] = Ratio(o.Row.Ratio), ["任务数"] = o.Row.Tasks,
            ["逾期未完成"] = o.Row.Missed, ["目标达成"] = o.Targets.Count == 0 ? "未设目标" : $"{o.Met}/{o.Targets.Count}",
            ["未达成目标"] = o.NotMet,
        }).ToList();
        if (results.Count > 0)
        {
            results.Add(new Dictionary<string, object?>
            {
                ["排名"] = "", ["组织"] = TotalLabel, ["类别"] = "", ["得分"] = pack.Orgs.Sum(o => o.Row.Earned + o.Row.Carried),
                ["应得分"] = pack.Orgs.Sum(o => o.Row.Possible), ["完成率"] = "", ["任务数"] = pack.Orgs.Sum(o => o.Row.Tasks),
                ["逾期未完成"] = pack.Orgs.Sum(o => o.Row.Missed), ["目标达成"] = $"{pack.Orgs.Sum(o => o.Met)}/{pack.Orgs.Sum(o => o.Targets.Count)}",
                ["未达成目标"] = pack.Orgs.Sum(o => o.NotMet),
            });
        }
        yield return (Results, results);
        yield return ("目标达成", pack.Orgs.SelectMany(o => o.Targets.Select(t => new Dictionary<string, object?>
        {
            ["组织"] = o.Row.Name, ["目标"] = t.Label, ["实际"] = t.Actual, ["结果"] = Outcome(t.Outcome),
        })).ToList());
        yield return ("薄弱职责", pack.WeakestDuties.Select(d => new Dictionary<string, object?>
        {
            ["职责"] = d.Name, ["到期任务"] = d.Due, ["按时完成"] = d.OnTime, ["逾期完成"] = d.Late, ["逾期未完成"] = d.Missed, ["预警"] = d.Warned,
            ["按时完成率"] = Ratio(d.OnTimeRate),
        }).ToList());
        yield return ("薄弱组织", pack.WeakestOrgs.Select(r => new Dictionary<string, object?>
        {
            ["排名"] = r.Rank is { } rank ? rank : "—", ["组织"] = r.Name, ["得分"] = r.Earned + r.Carried, ["应得分"] = r.Possible,
            ["完成率"] = Ratio(r.Ratio), ["逾期未完成"] = r.Missed,
        }).ToList());
        yield return ("重复问题", pack.Repeated.Select(r => new Dictionary<string, object?>
        {
            ["职责"] = r.Duty, ["涉及组织"] = r.Orgs, ["涉及期间"] = r.Periods, ["次数"] = r.Times, ["其中逾期未完成"] = r.Missed,
            ["组织"] = string.Join("、", r.OrgNames.Take(8)) + (r.OrgNames.Count > 8 ? $" 等{r.OrgNames.Count}个" : ""),
        }).ToList());
        yield return ("提醒送达", Counts(pack.Reminders, "结果", "条数"));
        yield return ("提醒渠道", Counts(pack.ReminderChannels, "渠道", "条数"));
        yield return ("微心愿", Counts(pack.Wishes, "状态", "个数"));
        yield return ("党费欠缴", pack.Arrears is null ? [new() { ["说明"] = "暂无党费数据" }]
            : pack.Arrears.Count == 0 ? [new() { ["说明"] = "无欠缴" }] : Counts(pack.Arrears, "党支部", "欠缴人数"));
        yield return (Nonconformities, pack.Nonconformities is null ? [] : Counts(pack.Nonconformities, "项目", "数量"));
        yield return ("上次评审决定", pack.LastReview is null ? [new() { ["说明"] = "暂无上次评审记录" }] : Decisions(pack.LastDecisions, pack.LastReview));
        yield return ("本次评审决定", Decisions(pack.Decisions, pack.Period.Label));
    }

    private static List<Dictionary<string, object?>> Overview(ReviewPack pack) =>
    [
        new() { ["项目"] = "报告", ["内容"] = Title(pack) },
        new() { ["项目"] = "评审范围", ["内容"] = pack.Ranking.Scope.Name + (pack.Level == RankingLevel.Community ? "（各社区）" : "（各支部）") },
        new() { ["项目"] = "评审期间", ["内容"] = pack.Period.Label + (pack.Ranking.Provisional ? "（实时，未结算）" : "（已结算）") },
        new() { ["项目"] = "生成时间", ["内容"] = Local(pack.GeneratedAt) },
        new() { ["项目"] = "参评组织", ["内容"] = pack.Orgs.Count.ToString(CultureInfo.InvariantCulture) },
        new() { ["项目"] = "年度目标", ["内容"] = pack.Targets.Count == 0 ? "未设定" : string.Join("；", pack.Targets) },
    ];

    private static List<Dictionary<string, object?>> Counts(IEnumerable<PackCount> counts, string label, string count) =>
        counts.Select(c => new Dictionary<string, object?> { [label] = c.Label, [count] = c.Count }).ToList();

    private static List<Dictionary<string, object?>> Decisions(IEnumerable<PackDecision> decisions, string period) =>
        decisions.Select(d => new Dictionary<string, object?>
        {
            ["评审"] = period, ["决定"] = d.Text, ["责任组织"] = d.Owner, ["完成期限"] = d.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["落实情况"] = d.Status,
        }).ToList();

    public static string Outcome(TargetOutcome outcome) => outcome switch
    {
        TargetOutcome.Met => "达成",
        TargetOutcome.NotMet => "未达成",
        _ => "无数据",
    };

    private static string Ratio(decimal? ratio) => ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r * 100:0.0}%") : "暂无任务";

    private static string Local(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, WxQms.Domain.Rules.Tasks.Periods.Shanghai).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>The pack as the printable page's HTML: a cover and one section a page, each the workbook's sheets as tables.</summary>
public static class ReviewHtml
{
    public static string Pack(ReviewPack pack)
    {
        var sheets = ReviewWorkbook.Rows(pack).ToDictionary(s => s.Name, s => s.Rows);
        var overview = (List<Dictionary<string, object?>>)ReviewWorkbook.Sheets(pack)["概况"];
        var sb = new StringBuilder("<article class=pack>");
        sb.Append($"<section class=cover><h2>{E(ReviewWorkbook.Title(pack))}</h2><p class=meta>");
        sb.Append(string.Join(" · ", overview.Skip(1).Take(3).Select(r => E($"{r["项目"]}：{r["内容"]}"))));
        sb.Append("</p><p>").Append(E($"年度目标：{overview[^1]["内容"]}")).Append("</p></section>");
        foreach (var (title, names) in ReviewWorkbook.Sections)
        {
            sb.Append($"<section><h2>{E(title)}</h2>");
            foreach (var name in names)
            {
                if (names.Length > 1)
                    sb.Append($"<h3>{E(name)}</h3>");
                Table(sb, sheets[name]);
            }
            sb.Append("</section>");
        }
        sb.Append("</article>");
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, List<Dictionary<string, object?>> rows)
    {
        if (rows.Count == 0)
        {
            sb.Append($"<p class=none>{E(ReviewWorkbook.None)}</p>");
            return;
        }
        if (rows.Count == 1 && rows[0].Count == 1 && rows[0].ContainsKey("说明"))
        {
            sb.Append($"<p class=none>{E(rows[0]["说明"]?.ToString())}</p>");
            return;
        }
        sb.Append("<table><thead><tr>");
        foreach (var key in rows[0].Keys)
            sb.Append($"<th>{E(key)}</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            foreach (var value in row.Values)
            {
                var text = value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString();
                var cls = value is decimal or int or long ? " class=num" : text switch { "未达成" => " class=unmet", "达成" => " class=met", _ => "" };
                sb.Append($"<td{cls}>{E(text)}</td>");
            }
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table>");
    }
}
