using System.Globalization;
using System.Text;
using System.Text.Json;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Showcase;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.Showcase;
using WxQms.Domain.Storage;
using static WxQms.Api.H5.H5Layout;

namespace WxQms.Api.H5;

/// <summary>
/// 最in社区, the community showcase (issue #20 item 3), public to the official account's readers (the menu links here): the
/// index <c>/h5/communities</c> with the last closed month's 最in社区 on top, and a page per community
/// <c>/h5/communities/{id}</c> — its introduction, 3D panoramas in Pannellum (served from our build), secretary, branches,
/// the year's result and rank history, 星级党员, wishes lit and photos of its best-judged meetings. What a notice board
/// shows: names and counts, never a phone. Images are served here, named by id or hash and cached.
/// </summary>
public static class CommunityPages
{
    private const string Style = """
        section{background:#fff;margin:10px 0;padding:12px 14px}h2{font-size:16px;margin:0 0 8px;color:#b71c1c}
        .intro{white-space:pre-wrap;line-height:1.6;margin:0}.muted{color:#888;font-size:13px}
        .cards a{display:block;background:#fff;margin:8px 0;padding:12px 14px;color:#222;text-decoration:none;border-left:4px solid #eee}
        .cards a.top{border-left-color:#d84315;background:#fff8f0}.cards b{font-size:16px}.cards p{margin:4px 0 0;color:#666;font-size:13px}
        .badge{display:inline-block;background:#d84315;color:#fff;font-size:12px;padding:1px 6px;border-radius:3px;margin-left:6px}
        table{width:100%;border-collapse:collapse}th,td{padding:6px 4px;border-bottom:1px solid #f0f0f0;text-align:left;font-size:14px}
        th{color:#888;font-weight:normal;font-size:12px}.big{font-size:22px;color:#b71c1c;font-weight:600}
        #panorama{width:100%;height:56vw;max-height:420px;min-height:240px;background:#222}
        .photos{display:grid;grid-template-columns:repeat(3,1fr);gap:4px}.photos img{width:100%;aspect-ratio:4/3;object-fit:cover;display:block}
        .meeting{margin:0 0 10px}.meeting p{margin:2px 0 6px;font-size:13px;color:#555}.stars{color:#d4380d}
        footer{padding:16px 14px;color:#aaa;font-size:12px}
        """;

    public static void MapCommunityPages(this IEndpointRouteBuilder app)
    {
        var h5 = app.MapGroup("/h5/communities").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5);
        h5.MapGet("/", Index);
        h5.MapGet("/{communityId:long}", Show);
        h5.MapGet("/{communityId:long}/scenes/{sceneId:long}/image", SceneImage);
        h5.MapGet("/{communityId:long}/photos/{sha256}", MeetingPhoto);
    }

    internal static async Task<IResult> Index(HttpContext http, ShowcaseService showcase, H5Viewer viewers, CancellationToken ct)
    {
        var index = await showcase.IndexAsync(ct);
        var sb = new StringBuilder(8_192);
        sb.Append(Head("最in社区", Style)).Append("<header><h1>最in社区</h1><p class=sub>").Append(E(viewers.Subdistrict))
            .Append("各社区党建风采</p></header>");
        if (index.FeaturedMonth is { } month && Periods.TryParse(month, out var period))
            sb.Append("<p class=muted style=\"padding:8px 14px 0;margin:0\">").Append(E(RankingQueries.Label(period)))
                .Append("考核排名第一的社区为当月“最in社区”。</p>");
        sb.Append("<div class=cards>");
        foreach (var c in index.Communities)
        {
            sb.Append($"<a href=\"/h5/communities/{c.Id}\"").Append(c.Featured ? " class=top" : "").Append("><b>").Append(E(c.Name)).Append("</b>");
            if (c.Featured)
                sb.Append("<span class=badge>最in社区</span>");
            sb.Append("<p>").Append(E(Excerpt(c.Introduction))).Append("</p></a>");
        }
        sb.Append("</div><footer>").Append(E(viewers.Subdistrict)).Append("党建质量管理</footer></body></html>");
        return Page(http, sb.ToString());
    }

    internal static async Task<IResult> Show(long communityId, HttpContext http, ShowcaseService showcase, H5Viewer viewers,
        CancellationToken ct)
    {
        CommunityPage page;
        try
        {
            page = await showcase.PageAsync(communityId, ct);
        }
        catch (NotFoundException)
        {
            return Message(StatusCodes.Status404NotFound, "未找到", "没有这个社区。", Style);
        }
        return Page(http, Render(page, viewers.Subdistrict));
    }

    internal static string Render(CommunityPage p, string subdistrict)
    {
        var sb = new StringBuilder(16_384);
        var tour = Panoramas.Tour(p.Scenes.Select(s => new TourScene(s.Id, s.Name, $"/h5/communities/{p.Id}/scenes/{s.Id}/image")).ToList(),
            p.Hotspots);
        sb.Append(Head(p.Name + " · 最in社区", Style));
        if (tour is not null)
            sb.Append("<link rel=stylesheet href=\"/vendor/pannellum/pannellum.css\"><script src=\"/vendor/pannellum/pannellum.js\"></script>");
        sb.Append("<header><h1>").Append(E(p.Name)).Append("</h1><p class=sub><a href=\"/h5/communities\" style=\"color:#fff\">最in社区</a> · ")
            .Append(E(subdistrict)).Append("</p></header>");

        sb.Append("<section id=introduction><h2>社区简介</h2><p class=intro>")
            .Append(E(string.IsNullOrWhiteSpace(p.Introduction) ? "简介待补充。" : p.Introduction)).Append("</p></section>");

        if (tour is not null)
        {
            sb.Append("<section id=tour><h2>3D全景</h2><div id=panorama></div><p class=muted>拖动画面可环视四周，点击箭头进入其他场景：")
                .Append(E(string.Join("、", p.Scenes.Select(s => s.Name)))).Append("</p></section>");
            sb.Append("<script type=\"application/json\" id=tour-config>").Append(JsonSerializer.Serialize(tour)).Append("</script>");
            sb.Append("<script>window.viewer=pannellum.viewer('panorama',JSON.parse(document.getElementById('tour-config').textContent));</script>");
        }

        sb.Append("<section id=people><h2>组织概况</h2><p>党委书记：").Append(E(p.Secretaries.Count == 0 ? "—" : string.Join("、", p.Secretaries)))
            .Append("</p><p>共 ").Append(p.Branches.Count).Append(" 个党支部、").Append(p.Branches.Sum(b => b.Members)).Append(" 名党员</p>");
        if (p.Branches.Count > 0)
        {
            sb.Append("<table><thead><tr><th>党支部</th><th>党员</th></tr></thead><tbody>");
            foreach (var b in p.Branches)
                sb.Append("<tr><td>").Append(E(b.Name)).Append("</td><td>").Append(b.Members).Append("</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append("</section>");

        var y = p.Year;
        sb.Append("<section id=results><h2>").Append(y.Year).Append("年考核</h2>");
        if (y.Ratio is { } ratio)
            sb.Append("<p>全年至今完成率 <span class=big>").Append(Percent(ratio)).Append("</span>")
                .Append(y.Rank is { } rank ? $"，在 {y.Ranked} 个社区中排名第 {rank}" : "").Append("</p>");
        else
            sb.Append("<p class=muted>本年度暂无到期任务。</p>");
        if (y.Months.Count > 0)
        {
            sb.Append("<table><thead><tr><th>月份</th><th>完成率</th><th>排名</th></tr></thead><tbody>");
            foreach (var m in y.Months)
                sb.Append("<tr><td>").Append(E(MonthLabel(m.PeriodKey))).Append("</td><td>").Append(m.Ratio is { } r ? Percent(r) : "—")
                    .Append("</td><td>").Append(m.Rank is { } k ? "第 " + k.ToString(CultureInfo.InvariantCulture) : "—").Append("</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append("</section>");

        sb.Append("<section id=stars><h2>星级党员</h2>");
        if (p.StarsMonth is null || p.Stars.Count == 0)
            sb.Append("<p class=muted>本年度尚未结算星级。</p>");
        else
        {
            sb.Append("<p class=muted>按").Append(E(MonthLabel(p.StarsMonth))).Append("结算</p><table><tbody>");
            for (var s = Stars.Max; s >= Stars.Min; s--)
                sb.Append($"<tr><td class=stars>{Stars.Label(s)}</td><td data-stars=\"{s}\">{p.Stars.GetValueOrDefault(s)} 人</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append("</section>");

        sb.Append("<section id=wishes><h2>微心愿</h2><p>已点亮 <span class=big>").Append(p.WishesLit).Append("</span> 个心愿</p>");
        if (p.LatestWishes.Count > 0)
            sb.Append("<p class=muted>最近点亮：").Append(E(string.Join("、", p.LatestWishes))).Append("</p>");
        sb.Append("</section>");

        sb.Append("<section id=meetings><h2>组织生活风采</h2>");
        if (p.Meetings.Count == 0)
            sb.Append("<p class=muted>本年度暂无评价优秀的会议照片。</p>");
        foreach (var m in p.Meetings)
        {
            sb.Append("<div class=meeting><p>").Append(E(m.OrgName)).Append(" · ").Append(E(LocalTime.ToLocal(m.HeldAt).ToString("yyyy年M月d日", CultureInfo.InvariantCulture)));
            if (!string.IsNullOrWhiteSpace(m.Topic))
                sb.Append(" · ").Append(E(m.Topic));
            if (m.Rating is { } rating)
                sb.Append(" · 党员评价 ").Append(rating.ToString("0.0", CultureInfo.InvariantCulture)).Append(" 分");
            sb.Append("</p><div class=photos>");
            foreach (var photo in m.Photos.Take(6))
                sb.Append($"<img loading=lazy alt=\"会议照片\" src=\"/h5/communities/{p.Id}/photos/{photo.Sha256}\">");
            sb.Append("</div></div>");
        }
        sb.Append("</section><footer>").Append(E(subdistrict)).Append("党建质量管理</footer></body></html>");
        return sb.ToString();
    }

    /// <summary>A scene's panorama. A scene's photo never changes (a new photo is a new scene): cached for a year, shared caches too.</summary>
    internal static async Task<IResult> SceneImage(long communityId, long sceneId, HttpContext http, ShowcaseService showcase, IFileStore files,
        CancellationToken ct)
    {
        var scene = await showcase.SceneAsync(communityId, sceneId, ct);
        return await ImageAsync(http, scene?.Photo, "public, max-age=31536000, immutable", files, ct);
    }

    /// <summary>A photo of a meeting the community's page shows; no other photo is served here.</summary>
    internal static async Task<IResult> MeetingPhoto(long communityId, string sha256, HttpContext http, ShowcaseService showcase, IFileStore files,
        CancellationToken ct)
    {
        StoredPhoto? photo;
        try
        {
            photo = await showcase.MeetingPhotoAsync(communityId, sha256, ct);
        }
        catch (NotFoundException)
        {
            photo = null;
        }
        // Public but short-lived: a meeting leaves the page when better ones come.
        return await ImageAsync(http, photo, "public, max-age=3600", files, ct);
    }

    private static async Task<IResult> ImageAsync(HttpContext http, StoredPhoto? photo, string cacheControl, IFileStore files, CancellationToken ct)
    {
        var bytes = photo is null ? null : await files.ReadVerifiedAsync(new StoredFile(photo.Sha256, photo.Size, photo.RelativePath), ct);
        if (photo is null || bytes is null)
            return Results.NotFound();
        http.Response.Headers.CacheControl = cacheControl;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(bytes, photo.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{photo.Sha256}\""));
    }

    private static string Excerpt(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return "简介待补充。";
        var line = text.Trim().ReplaceLineEndings(" ");
        return line.Length <= 60 ? line : line[..60] + "…";
    }

    private static string Percent(decimal ratio) => (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string MonthLabel(string key) => Periods.TryParse(key, out var period) ? RankingQueries.Label(period) : key;
}
