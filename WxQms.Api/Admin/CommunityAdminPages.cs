using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Showcase;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Showcase;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// 社区展示 (/admin/communities): the office keeps each community's showcase (最in社区, <c>/h5/communities/{id}</c>): its
/// introduction and its 3D panoramas — equirectangular photos uploaded as named scenes (refused inline, in Chinese, when too
/// large or not 2:1) and the hotspots linking them, placed by clicking in the preview. Every console role reads it; only
/// office staff change it.
/// </summary>
public static class CommunityAdminPages
{
    private const string PagePath = "/admin/communities";

    public static void MapAdminCommunities(this IEndpointRouteBuilder app)
    {
        var pages = app.AdminPages();
        pages.MapGet("/communities", List);
        pages.MapGet("/communities/{communityId:long}", Show);
        pages.MapPost("/communities/{communityId:long}/introduction", SetIntroduction);
        pages.MapPost("/communities/{communityId:long}/scenes", AddScene).DisableAntiforgery();
        pages.MapPost("/communities/{communityId:long}/scenes/{sceneId:long}/remove", RemoveScene);
        pages.MapPost("/communities/{communityId:long}/hotspots", AddHotspot);
        pages.MapPost("/communities/{communityId:long}/hotspots/{hotspotId:long}/remove", RemoveHotspot);
    }

    private static async Task<IResult> List(HttpContext http, CurrentUser user, ShowcaseService showcase, MemberService members,
        CancellationToken ct)
    {
        var index = await showcase.IndexAsync(ct);
        var body = new StringBuilder();
        body.Append(Notice("info", "各社区的展示页（最in社区）在公众号菜单中向群众公开：社区简介、3D全景、书记姓名、支部和党员人数、考核结果、星级党员、微心愿和优秀会议照片，不含手机号等个人信息。"));
        body.Append("<table><thead><tr><th>社区</th><th>简介</th><th></th></tr></thead><tbody>");
        foreach (var c in index.Communities.OrderBy(c => c.Id))
        {
            body.Append("<tr><td>").Append(E(c.Name)).Append(c.Featured ? "（最in社区）" : "").Append("</td><td>")
                .Append(string.IsNullOrWhiteSpace(c.Introduction) ? "<span style=\"color:#c62828\">未填写</span>" : "已填写")
                .Append($"</td><td><a href=\"{PagePath}/{c.Id}\">编辑</a> · <a href=\"/h5/communities/{c.Id}\" target=_blank>查看展示页</a></td></tr>");
        }
        body.Append("</tbody></table>");
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), "社区展示", "communities", body.ToString());
    }

    private static Task<IResult> Show(long communityId, HttpContext http, CurrentUser user, ShowcaseService showcase, MemberService members,
        IOptions<ShowcaseOptions> options, CancellationToken ct)
    {
        var notice = http.Request.Query["done"].ToString() switch
        {
            "introduction" => Notice("info", "已保存社区简介。"),
            "scene" => Notice("info", "已上传全景场景。"),
            "scene-removed" => Notice("info", "已删除场景及其热点。"),
            "hotspot" => Notice("info", "已添加热点。"),
            "hotspot-removed" => Notice("info", "已删除热点。"),
            _ => "",
        };
        return RenderAsync(http, user, showcase, members, options.Value, communityId, notice, new Errors(), ct);
    }

    private static async Task<IResult> SetIntroduction(long communityId, HttpContext http, CurrentUser user, ShowcaseService showcase,
        MemberService members, IOptions<ShowcaseOptions> options, CancellationToken ct)
    {
        EnsureStaff(user);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var text = form?["introduction"].ToString() ?? "";
        try
        {
            await showcase.SetIntroductionAsync(MemberAdminEndpoints.Editor(user), communityId, text, ct);
        }
        catch (RuleViolationException e)
        {
            return await RenderAsync(http, user, showcase, members, options.Value, communityId, "", new Errors(Introduction: e.Message, Text: text), ct);
        }
        return SeeOther($"{PagePath}/{communityId}?done=introduction");
    }

    /// <summary>The multipart form: <c>name</c>, then the file <c>photo</c>, streamed through the panorama checks.</summary>
    private static async Task<IResult> AddScene(long communityId, HttpContext http, CurrentUser user, ShowcaseService showcase,
        MemberService members, IOptions<ShowcaseOptions> options, CancellationToken ct)
    {
        EnsureStaff(user);
        var o = options.Value;
        IncomingPhoto? photo = null;
        string? name = null;
        try
        {
            var fields = await MultipartBody.ReadAsync(http.Request, 2 * o.PanoramaMaxBytes + 1024 * 1024, 2 * o.PanoramaMaxBytes,
                async (field, fileName, body) =>
                {
                    if (field == "photo" && photo is null)
                        photo = await showcase.ReceivePanoramaAsync(body, fileName, ct);
                }, ct);
            name = fields.GetValueOrDefault("name");
            await showcase.AddSceneAsync(MemberAdminEndpoints.Editor(user), communityId, name, photo, ct);
        }
        catch (Exception e) when (e is RuleViolationException or ConflictException)
        {
            return await RenderAsync(http, user, showcase, members, o, communityId, "", new Errors(Scene: e.Message, SceneName: name), ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status400BadRequest)
        {
            return await RenderAsync(http, user, showcase, members, o, communityId, "", new Errors(Scene: "请选择一张全景照片后再上传"), ct);
        }
        finally
        {
            if (photo is not null)
                await photo.DisposeAsync();
        }
        return SeeOther($"{PagePath}/{communityId}?done=scene");
    }

    private static async Task<IResult> RemoveScene(long communityId, long sceneId, CurrentUser user, ShowcaseService showcase, CancellationToken ct)
    {
        EnsureStaff(user);
        await showcase.RemoveSceneAsync(MemberAdminEndpoints.Editor(user), communityId, sceneId, ct);
        return SeeOther($"{PagePath}/{communityId}?done=scene-removed");
    }

    private static async Task<IResult> AddHotspot(long communityId, HttpContext http, CurrentUser user, ShowcaseService showcase,
        MemberService members, IOptions<ShowcaseOptions> options, CancellationToken ct)
    {
        EnsureStaff(user);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var values = new HotspotForm(form?["scene"].ToString(), form?["target"].ToString(), form?["pitch"].ToString(), form?["yaw"].ToString(),
            form?["label"].ToString());
        string? error = null;
        if (!long.TryParse(values.Scene, NumberStyles.None, CultureInfo.InvariantCulture, out var scene)
            || !long.TryParse(values.Target, NumberStyles.None, CultureInfo.InvariantCulture, out var target))
            error = "请选择热点所在的场景和要进入的场景";
        else if (!decimal.TryParse(values.Pitch, NumberStyles.Float, CultureInfo.InvariantCulture, out var pitch)
                 || !decimal.TryParse(values.Yaw, NumberStyles.Float, CultureInfo.InvariantCulture, out var yaw))
            error = "俯仰角和水平角应为数字（在预览中点击画面可自动填写）";
        else
        {
            try
            {
                await showcase.AddHotspotAsync(MemberAdminEndpoints.Editor(user), communityId, scene, target, pitch, yaw, values.Label, ct);
            }
            catch (RuleViolationException e)
            {
                error = e.Message;
            }
        }
        return error is null
            ? SeeOther($"{PagePath}/{communityId}?done=hotspot")
            : await RenderAsync(http, user, showcase, members, options.Value, communityId, "", new Errors(Hotspot: error, HotspotForm: values), ct);
    }

    private static async Task<IResult> RemoveHotspot(long communityId, long hotspotId, CurrentUser user, ShowcaseService showcase, CancellationToken ct)
    {
        EnsureStaff(user);
        await showcase.RemoveHotspotAsync(MemberAdminEndpoints.Editor(user), communityId, hotspotId, ct);
        return SeeOther($"{PagePath}/{communityId}?done=hotspot-removed");
    }

    private static void EnsureStaff(CurrentUser user)
    {
        if (!user.HasRole(Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "社区展示由街道党建办维护");
    }

    private sealed record HotspotForm(string? Scene, string? Target, string? Pitch, string? Yaw, string? Label);

    /// <summary>What a refused form shows again: its error and what was typed.</summary>
    private sealed record Errors(string? Introduction = null, string? Text = null, string? Scene = null, string? SceneName = null,
        string? Hotspot = null, HotspotForm? HotspotForm = null)
    {
        public bool Any => Introduction is not null || Scene is not null || Hotspot is not null;
    }

    private static async Task<IResult> RenderAsync(HttpContext http, CurrentUser user, ShowcaseService showcase, MemberService members,
        ShowcaseOptions options, long communityId, string notice, Errors errors, CancellationToken ct)
    {
        var page = await showcase.PageAsync(communityId, ct);
        var staff = user.HasRole(Roles.Staff);
        var path = $"{PagePath}/{page.Id}";
        var body = new StringBuilder(notice);
        body.Append($"<p><a href=\"{PagePath}\">← 全部社区</a> · <a href=\"/h5/communities/{page.Id}\" target=_blank>查看展示页</a></p>");

        body.Append("<h2>社区简介</h2>");
        if (staff)
        {
            body.Append($"<form method=post action=\"{path}/introduction\">");
            body.Append($"<label class=\"field{(errors.Introduction is null ? "" : " bad")}\"><span>简介（不超过{ShowcaseService.IntroductionLength}字）</span>")
                .Append("<textarea name=introduction rows=6 style=\"width:100%;max-width:720px\">").Append(E(errors.Text ?? page.Introduction))
                .Append("</textarea>").Append(errors.Introduction is null ? "" : $"<em>{E(errors.Introduction)}</em>").Append("</label>");
            body.Append("<button>保存简介</button></form>");
        }
        else
            body.Append("<p style=\"white-space:pre-wrap\">").Append(E(page.Introduction ?? "（未填写）")).Append("</p>");

        body.Append("<h2>3D全景场景</h2>");
        var names = page.Scenes.ToDictionary(s => s.Id, s => s.Name);
        body.Append("<table><thead><tr><th>场景</th><th>尺寸</th><th>热点</th>").Append(staff ? "<th></th>" : "").Append("</tr></thead><tbody>");
        foreach (var s in page.Scenes)
        {
            body.Append("<tr><td>").Append(E(s.Name)).Append($"</td><td>{s.Width}×{s.Height}，{N(s.Photo.Size / 1024)} KB</td><td>");
            foreach (var h in page.Hotspots.Where(h => h.SceneId == s.Id))
            {
                body.Append(E($"“{h.Label}” → {names.GetValueOrDefault(h.TargetSceneId)}（{h.Pitch}°, {h.Yaw}°）"));
                if (staff)
                    body.Append($" <form method=post action=\"{path}/hotspots/{h.Id}/remove\" style=\"display:inline\"><button class=plain>删除</button></form>");
                body.Append("<br>");
            }
            body.Append("</td>");
            if (staff)
                body.Append($"<td><form method=post action=\"{path}/scenes/{s.Id}/remove\"><button class=plain>删除场景</button></form></td>");
            body.Append("</tr>");
        }
        if (page.Scenes.Count == 0)
            body.Append("<tr><td colspan=4 class=empty>还没有全景场景</td></tr>");
        body.Append("</tbody></table>");

        if (staff)
        {
            var maxMb = (options.PanoramaMaxBytes / (1024m * 1024)).ToString("0.#", CultureInfo.InvariantCulture);
            body.Append($"<h2>上传全景照片</h2><form method=post action=\"{path}/scenes\" enctype=\"multipart/form-data\" id=scene-form>");
            if (errors.Scene is not null)
                body.Append(Notice("refuse", errors.Scene));
            body.Append(Field("name", "场景名称", errors.SceneName, required: true, hint: "如：党群服务中心 大厅、会议室、活动室"));
            body.Append($"<label class=\"field{(errors.Scene is null ? "" : " bad")}\"><span>全景照片 *</span><input type=file name=photo accept=\"image/jpeg,image/png,image/webp\" required>")
                .Append($"<small>2:1 的等距柱状投影（equirectangular）照片，JPEG/PNG/WebP，不超过 {maxMb} MB、宽不超过 {options.PanoramaMaxWidth} 像素</small>")
                .Append(errors.Scene is null ? "" : $"<em>{E(errors.Scene)}</em>").Append("</label><button>上传</button></form>");

            if (page.Scenes.Count >= 2)
            {
                var f = errors.HotspotForm;
                var options2 = page.Scenes.Select(s => (s.Id.ToString(CultureInfo.InvariantCulture), s.Name)).ToList();
                body.Append($"<h2>添加热点</h2><form method=post action=\"{path}/hotspots\" id=hotspot-form>");
                if (errors.Hotspot is not null)
                    body.Append(Notice("refuse", errors.Hotspot));
                body.Append(Select("scene", "热点所在场景", f?.Scene, options2)).Append(Select("target", "点击后进入", f?.Target ?? options2[1].Item1, options2))
                    .Append(Field("pitch", "俯仰角 pitch（-90～90）", f?.Pitch ?? "0", hint: "在下方预览中点击画面可自动填写"))
                    .Append(Field("yaw", "水平角 yaw（-180～180）", f?.Yaw ?? "0")).Append(Field("label", "热点文字", f?.Label, required: true, hint: "如：去会议室"))
                    .Append("<button>添加热点</button></form>");
            }
            if (page.Scenes.Count > 0)
            {
                var first = page.Scenes[0];
                body.Append("<h2>预览</h2><link rel=stylesheet href=\"/vendor/pannellum/pannellum.css\"><script src=\"/vendor/pannellum/pannellum.js\"></script>")
                    .Append("<div id=preview style=\"width:100%;max-width:720px;height:360px\"></div><script>(function(){")
                    .Append($"var v=pannellum.viewer('preview',{{type:'equirectangular',panorama:'/h5/communities/{page.Id}/scenes/{first.Id}/image',autoLoad:true}});")
                    .Append("var form=document.getElementById('hotspot-form');var scene=form&&form.elements.scene;")
                    .Append($"if(scene){{scene.value='{first.Id}';scene.addEventListener('change',function(){{v.destroy();v=pannellum.viewer('preview',{{type:'equirectangular',panorama:'/h5/communities/{page.Id}/scenes/'+scene.value+'/image',autoLoad:true}});bind();}});}}")
                    .Append("function bind(){v.on('mousedown',function(e){if(!form)return;var c=v.mouseEventToCoords(e);form.elements.pitch.value=c[0].toFixed(1);form.elements.yaw.value=c[1].toFixed(1);});}bind();")
                    .Append("})();</script>");
            }
        }
        return Page(http, await AdminEndpoints.ViewerAsync(user, members, ct), $"社区展示 · {page.Name}", "communities", body.ToString(),
            errors.Any ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK);
    }
}
