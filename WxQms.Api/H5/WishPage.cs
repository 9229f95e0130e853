using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Wishes;
using WxQms.Domain.Storage;
using static WxQms.Api.H5.H5Layout;

namespace WxQms.Api.H5;

/// <summary>
/// <c>/h5/wishes</c>: the micro-wish wall (微心愿) opened from the official-account menu. Server-rendered, phone
/// first, Chinese, no script needed. Anyone with WeChat signs in through web OAuth (snsapi_base): residents post
/// wishes and confirm them, members claim them, community and office staff approve them. The wisher's name is
/// masked (张*) and no phone number is shown anywhere. Forms are POSTs carrying a per-viewer token (and the
/// cookie is SameSite=Lax), so another site cannot act for the viewer.
/// </summary>
public static class WishPage
{
    private static readonly (string Key, string Label)[] Tabs =
        [("published", "待认领"), ("claimed", "进行中"), ("lit", "已点亮"), ("mine", "我的")];

    public static void MapWishPage(this IEndpointRouteBuilder app)
    {
        var h5 = app.MapGroup("/h5/wishes").ExcludeFromDescription().RequireRateLimiting(RateLimits.H5);
        h5.MapGet("/", ListPage);
        h5.MapGet("/new", NewPage);
        h5.MapPost("/", PostForm).DisableAntiforgery().RequireRateLimiting(RateLimits.Wishes); // per IP: the page signs in by cookie
        h5.MapGet("/{id:long}", DetailPage);
        h5.MapPost("/{id:long}/{action:regex(^(claim|confirm|approve|refuse|fulfil|release|cancel)$)}", ActForm).DisableAntiforgery();
        h5.MapGet("/{id:long}/photos/{sha256}", Photo);
    }

    private sealed record Viewer(H5User User, WishActor Actor);

    /// <summary>Signs the viewer in (redirecting through OAuth when needed); a result to return instead, or the viewer.</summary>
    private static async Task<(IResult? Result, Viewer? Viewer)> SignInAsync(HttpContext http, H5Viewer viewers, WishServices wishes,
        CancellationToken ct)
    {
        var (outcome, user) = await viewers.ResolveUserAsync(http, ct);
        switch (outcome)
        {
            case H5Viewer.Outcome.Redirect:
                return (Results.Redirect(H5Viewer.CleanPath(http.Request)), null);
            case H5Viewer.Outcome.NeedsOAuth:
                return (http.Request.Method == "GET" && viewers.StartOAuth(http) is { } authorize
                    ? Results.Redirect(authorize)
                    : Message(StatusCodes.Status401Unauthorized, "请重新进入", "登录已过期，请从公众号菜单重新打开微心愿。"), null);
            case not H5Viewer.Outcome.Member:
                return (Message(StatusCodes.Status403Forbidden, "无法识别身份", "微信授权失败，请从公众号菜单重新打开微心愿。"), null);
        }
        var actor = await wishes.Reads.ActorAsync(user!.WechatUserId, user.MemberId, user.Grants, ct);
        return (null, new Viewer(user, actor));
    }

    internal static async Task<IResult> ListPage(string? status, long? community, HttpContext http, H5Viewer viewers,
        [AsParameters] WishServices wishes, CancellationToken ct)
    {
        var (result, viewer) = await SignInAsync(http, viewers, wishes, ct);
        if (result is not null)
            return result;
        var tab = Tabs.Any(t => t.Key == status) ? status! : "published";
        var filter = tab == "mine"
            ? new WishListFilter(community, null, Mine: true)
            : new WishListFilter(community, DbNames.Parse<WishStatus>(tab));
        var list = await wishes.Reads.ListAsync(filter, viewer!.Actor, ct);
        if (tab == "claimed") // 进行中: claimed and waiting for confirmation
            list = [.. list, .. await wishes.Reads.ListAsync(filter with { Status = WishStatus.Fulfilled }, viewer.Actor, ct)];
        var communities = await wishes.Reads.CommunitiesAsync(ct);

        var sb = new StringBuilder(16_384);
        sb.Append(Head("微心愿"));
        sb.Append("<header><h1>微心愿点亮</h1><p class=sub>居民许愿 · 党员圆梦</p></header>");
        sb.Append("<nav class=tabs>");
        foreach (var (key, label) in Tabs)
        {
            sb.Append($"<a data-tab=\"{key}\" href=\"{E(ListUrl(key, community))}\"").Append(key == tab ? " class=on aria-current=page" : "")
                .Append('>').Append(label).Append("</a>");
        }
        sb.Append("</nav>");
        sb.Append("<form class=picker method=get action=\"/h5/wishes\"><input type=hidden name=status value=\"").Append(E(tab))
            .Append("\"><label>社区 <select name=community id=community onchange=\"this.form.submit()\"><option value=\"\">全部社区</option>");
        foreach (var (id, name) in communities)
            sb.Append($"<option value=\"{id}\"").Append(id == community ? " selected" : "").Append('>').Append(E(name)).Append("</option>");
        sb.Append("</select></label><noscript><button>查看</button></noscript><a class=post href=\"/h5/wishes/new\" id=post-wish>我要许愿</a></form>");

        if (list.Count == 0)
            sb.Append("<p class=empty>").Append(tab == "mine" ? "您还没有发布或认领心愿。" : "这里暂时没有心愿。").Append("</p>");
        sb.Append("<ul class=wishes>");
        foreach (var (w, _) in list.OrderByDescending(x => x.Wish.PostedAt).ThenByDescending(x => x.Wish.Id))
        {
            sb.Append($"<li class=wish data-id=\"{w.Id}\" data-status=\"{DbNames.Of(w.Status)}\"><a href=\"/h5/wishes/{w.Id}\">")
                .Append("<span class=\"badge ").Append(DbNames.Of(w.Status)).Append("\">").Append(WishRules.Label(w.Status)).Append("</span>")
                .Append("<b class=title>").Append(E(w.Title)).Append("</b><small>").Append(E(w.CommunityName)).Append(" · ")
                .Append(E(WishRules.Mask(w.WisherName))).Append(" · ").Append(E(Periods.Describe(w.PostedAt))).Append("</small>")
                .Append(w.ClaimerName is { } c ? $"<small class=claimer>认领党员：{E(c)}</small>" : "")
                .Append("</a></li>");
        }
        sb.Append("</ul>");
        sb.Append(Footer(viewer.User, viewers.Subdistrict));
        return Page(http, sb);
    }

    internal static async Task<IResult> NewPage(HttpContext http, H5Viewer viewers, [AsParameters] WishServices wishes, CancellationToken ct)
    {
        var (result, viewer) = await SignInAsync(http, viewers, wishes, ct);
        if (result is not null)
            return result;
        return Page(http, NewForm(viewer!, await wishes.Reads.CommunitiesAsync(ct), viewers, null, null));
    }

    private static StringBuilder NewForm(Viewer viewer, IReadOnlyList<(long Id, string Name)> communities, H5Viewer viewers, string? error,
        IFormCollection? form)
    {
        var sb = new StringBuilder(8_192);
        sb.Append(Head("发布心愿"));
        sb.Append("<header><h1>发布心愿</h1><p class=sub>审核通过后公开，党员认领帮您实现</p></header>");
        if (error is not null)
            sb.Append("<p class=error id=form-error role=alert>").Append(E(error)).Append("</p>");
        sb.Append("<form class=card method=post action=\"/h5/wishes\" enctype=\"multipart/form-data\" id=wish-form>")
            .Append("<input type=hidden name=ft value=\"").Append(viewers.FormToken(viewer.User.WechatUserId)).Append("\">")
            .Append("<label>心愿标题<input name=title id=title maxlength=").Append(WishRules.MaxTitle).Append(" required value=\"")
            .Append(E(form?["title"])).Append("\" placeholder=\"如：为独居老人修理水龙头\"></label>")
            .Append("<label>心愿描述<textarea name=description id=description maxlength=").Append(WishRules.MaxDescription)
            .Append(" rows=5 required placeholder=\"说说您的困难和需要的帮助（不要填写电话号码）\">").Append(E(form?["description"])).Append("</textarea></label>")
            .Append("<label>所在社区<select name=communityId id=communityId required><option value=\"\">请选择</option>");
        foreach (var (id, name) in communities)
            sb.Append($"<option value=\"{id}\"").Append(form?["communityId"].ToString() == id.ToString(CultureInfo.InvariantCulture) ? " selected" : "")
                .Append('>').Append(E(name)).Append("</option>");
        sb.Append("</select></label>");
        if (viewer.User.MemberId is null)
            sb.Append("<label>称呼（公开时只显示姓氏）<input name=name id=name maxlength=").Append(WishRules.MaxName)
                .Append(" value=\"").Append(E(form?["name"])).Append("\" placeholder=\"如：王阿姨\"></label>");
        sb.Append("<label>照片（可选）<input type=file name=photo id=photo accept=\"image/jpeg,image/png,image/webp\"></label>")
            .Append("<button type=submit id=submit-wish>提交心愿</button></form>")
            .Append("<p class=note>心愿将经过内容安全检测和社区审核后公开；公开时不显示您的全名和联系方式。</p>")
            .Append("<p class=back><a href=\"/h5/wishes\">返回心愿列表</a></p>")
            .Append(Footer(viewer.User, viewers.Subdistrict));
        return sb;
    }

    internal static async Task<IResult> PostForm(HttpContext http, H5Viewer viewers, [AsParameters] WishServices wishes, PhotoIntake intake,
        CancellationToken ct)
    {
        var (result, viewer) = await SignInAsync(http, viewers, wishes, ct);
        if (result is not null)
            return result;
        if (!http.Request.HasFormContentType)
            return Message(StatusCodes.Status400BadRequest, "请求无效", "请从发布页提交心愿。");
        var form = await http.Request.ReadFormAsync(ct);
        if (!viewers.FormTokenMatches(viewer!.User.WechatUserId, form["ft"]))
            return Message(StatusCodes.Status403Forbidden, "请求无效", "页面已过期，请返回重新提交。");
        long.TryParse(form["communityId"], NumberStyles.None, CultureInfo.InvariantCulture, out var communityId);
        try
        {
            // Checked now, stored only once the post passed every check (lengths, the daily limit, the text check).
            await using var photos = await ReceivePhotosAsync(form, intake, ct);
            var wish = await wishes.Submissions.PostAsync(new WishPost(form["title"], form["description"], communityId, form["name"], [],
                new InlinePhotos(photos.Count, photos.StoreAsync)), viewer.Actor, ct);
            return Results.Redirect($"/h5/wishes/{wish.Id}?done=posted");
        }
        catch (Exception ex) when (ex is RuleViolationException or LimitExceededException or NotFoundException or ForbiddenException
                                       or ArgumentException or InvalidDataException)
        {
            var status = ex is LimitExceededException ? StatusCodes.Status429TooManyRequests : StatusCodes.Status422UnprocessableEntity;
            return Page(http, NewForm(viewer, await wishes.Reads.CommunitiesAsync(ct), viewers, ex.Message, form), status);
        }
    }

    /// <summary>
    /// The photos of a form (at most <see cref="WishRules.MaxPhotos"/>), each checked like an upload and kept aside; the
    /// service stores them once the rest of the request passed.
    /// </summary>
    private static async Task<IncomingPhotos> ReceivePhotosAsync(IFormCollection form, PhotoIntake intake, CancellationToken ct)
    {
        var files = form.Files.Where(f => f.Length > 0).ToList();
        if (files.Count > WishRules.MaxPhotos)
            throw new RuleViolationException("wish.invalid", $"照片最多 {WishRules.MaxPhotos} 张");
        var photos = new IncomingPhotos(intake);
        try
        {
            foreach (var file in files)
            {
                if (file.Length > PhotoIntake.MaxBytes)
                    throw new RuleViolationException("upload.too_large", "照片不超过 10 MB");
                await using var stream = file.OpenReadStream();
                await photos.AddAsync(stream, file.FileName, ct);
            }
            return photos;
        }
        catch
        {
            await photos.DisposeAsync();
            throw;
        }
    }

    internal static async Task<IResult> DetailPage(long id, string? done, HttpContext http, H5Viewer viewers,
        [AsParameters] WishServices wishes, IOptions<WishOptions> options, CancellationToken ct)
    {
        var (result, viewer) = await SignInAsync(http, viewers, wishes, ct);
        if (result is not null)
            return result;
        var found = await wishes.Reads.GetAsync(id, ct);
        if (found is not { } f || !WishReads.CanSee(f.Wish, f.WisherUnionId, viewer!.Actor))
            return Message(StatusCodes.Status404NotFound, "未找到", "没有这个心愿，或它尚未公开。");
        return Page(http, Detail(f.Wish, f.WisherUnionId, viewer, viewers, wishes, options.Value, Done(done, options.Value), null));
    }

    private static string? Done(string? done, WishOptions o) => done switch
    {
        "posted" => "心愿已提交，审核通过后将公开。",
        "claim" => "认领成功，请尽快帮助心愿人实现心愿。",
        "confirm" => "心愿已点亮，感谢党员的帮助！",
        "approve" => "已审核通过，心愿已公开。",
        "refuse" => "已退回该心愿。",
        "fulfil" => $"已提交完成情况，等待心愿人确认（{o.AutoConfirmAfter.TotalDays:0} 天内未确认将自动点亮）。",
        "release" => "已释放认领，心愿重新等待认领。",
        "cancel" => "心愿已撤销。",
        _ => null,
    };

    private static StringBuilder Detail(Wish w, string? unionId, Viewer viewer, H5Viewer viewers, WishServices wishes, WishOptions o,
        string? notice, string? error)
    {
        var a = viewer.Actor;
        var mine = WishReads.IsWisher(w, unionId, a);
        var claimer = WishReads.IsClaimer(w, a);
        var moderator = Access.CanModerateWishes(a.Grants, w.CommunityPath);
        var insider = mine || claimer || moderator;
        var sb = new StringBuilder(8_192);
        sb.Append(Head(w.Title));
        sb.Append("<header><h1>").Append(E(w.Title)).Append("</h1><p class=sub>").Append(E(w.CommunityName)).Append("</p></header>");
        if (notice is not null)
            sb.Append("<p class=done id=notice role=status>").Append(E(notice)).Append("</p>");
        if (error is not null)
            sb.Append("<p class=error id=action-error role=alert>").Append(E(error)).Append("</p>");
        sb.Append("<section class=card id=wish data-status=\"").Append(DbNames.Of(w.Status)).Append("\"><p><span class=\"badge ")
            .Append(DbNames.Of(w.Status)).Append("\" id=status>").Append(WishRules.Label(w.Status)).Append("</span></p>")
            .Append("<p class=desc id=description>").Append(E(w.Description)).Append("</p><dl>")
            .Append("<dt>心愿人</dt><dd id=wisher>").Append(E(WishRules.Mask(w.WisherName))).Append("</dd>")
            .Append("<dt>发布时间</dt><dd>").Append(E(Periods.Describe(w.PostedAt))).Append("</dd>");
        if (w.ClaimerName is { } c)
            sb.Append("<dt>认领党员</dt><dd id=claimer>").Append(E(c)).Append("</dd>");
        if (w.FulfilledAt is { } fulfilled)
            sb.Append("<dt>完成时间</dt><dd>").Append(E(Periods.Describe(fulfilled))).Append("</dd>");
        if (w.FulfilNote is { } note)
            sb.Append("<dt>完成情况</dt><dd id=fulfil-note>").Append(E(note)).Append("</dd>");
        if (w.Status == WishStatus.Fulfilled && w.FulfilledAt is { } f)
            sb.Append("<dt>自动点亮</dt><dd>").Append(E(Periods.Describe(WishRules.AutoConfirmAt(f, o.AutoConfirmAfter)))).Append(" 前未确认将自动点亮</dd>");
        if (w.LitAt is { } lit)
            sb.Append("<dt>点亮时间</dt><dd id=lit>").Append(E(Periods.Describe(lit))).Append(w.LitBy == "auto" ? "（自动确认）" : "").Append("</dd>");
        if (insider && w.RefuseReason is { } refused)
            sb.Append("<dt>未通过原因</dt><dd id=refuse-reason>").Append(E(refused)).Append("</dd>");
        if (insider && w.CancelReason is { } cancelled)
            sb.Append("<dt>撤销原因</dt><dd>").Append(E(cancelled)).Append("</dd>");
        if (moderator)
            sb.Append("<dt>内容检测</dt><dd id=text-check>").Append(w.TextCheck switch
            {
                "pass" => "文字检测通过",
                "review" => "文字疑似违规，请人工核实",
                _ => "未能自动检测，请人工核实",
            }).Append("</dd>");
        sb.Append("</dl>");
        var photos = w.Photos.Where(p => insider || WishRules.IsShownPublicly(p.Check)).ToList();
        if (photos.Count > 0)
        {
            sb.Append("<div class=photos>");
            foreach (var p in photos)
                sb.Append("<figure><img loading=lazy alt=\"").Append(p.Stage == WishPhotoStage.Wish ? "心愿照片" : "完成照片").Append("\" src=\"")
                    .Append(E(wishes.Links.PhotoUrl(w.Id, p.Sha256))).Append("\"><figcaption>")
                    .Append(p.Stage == WishPhotoStage.Wish ? "心愿照片" : "完成照片")
                    .Append(p.Check switch { PhotoCheck.Pass => "", PhotoCheck.Pending => "（检测中）", PhotoCheck.Risky => "（未通过检测，不公开）", _ => "（待人工核实）" })
                    .Append("</figcaption></figure>");
            sb.Append("</div>");
        }
        sb.Append("</section>");

        var ft = viewers.FormToken(viewer.User.WechatUserId);
        string Button(string action, string label, string? extra = null, string? css = null) =>
            $"<form method=post action=\"/h5/wishes/{w.Id}/{action}\" class=\"act{css}\"><input type=hidden name=ft value=\"{ft}\">" +
            $"<input type=hidden name=version value=\"{w.Version}\">{extra}<button id=\"{action}\" type=submit>{label}</button></form>";
        string Reason(string action, string placeholder) =>
            $"<input name=reason id={action}-reason-input maxlength=200 required placeholder=\"{placeholder}\">";
        if (w.Status == WishStatus.Published && !mine)
            sb.Append(a.MemberId is null
                ? "<p class=note id=claim-hint>认领心愿需要党员身份：请在公众号中绑定党员信息。</p>"
                : Button("claim", "我来认领"));
        if (w.Status == WishStatus.Fulfilled && mine)
            sb.Append(Button("confirm", "确认已实现，点亮心愿"));
        if (w.Status == WishStatus.Claimed && claimer)
            // The same as the mini program's fulfil: 1–9 photos and a note, the photos checked and stored like an upload.
            sb.Append("<form method=post action=\"/h5/wishes/").Append(w.Id).Append("/fulfil\" class=\"act fulfil\" enctype=\"multipart/form-data\">")
                .Append("<input type=hidden name=ft value=\"").Append(ft).Append("\"><input type=hidden name=version value=\"").Append(w.Version).Append("\">")
                .Append("<label>完成说明<textarea name=note id=fulfil-note-input rows=3 maxlength=").Append(WishRules.MaxNote)
                .Append(" placeholder=\"做了什么、心愿人是否满意\"></textarea></label>")
                .Append("<label>完成照片（1–").Append(WishRules.MaxPhotos).Append(" 张）<input type=file name=photos id=fulfil-photos accept=\"image/*\" multiple required></label>")
                .Append("<button id=fulfil type=submit>提交完成情况</button></form>");
        if (w.Status == WishStatus.Claimed && (claimer || moderator))
            sb.Append(Button("release", claimer ? "放弃认领" : "释放认领", Reason("release", "原因（必填），如：时间冲突，无法前往"), " quiet"));
        if (w.Status == WishStatus.Reviewing && moderator)
        {
            sb.Append(Button("approve", "审核通过，公开心愿"));
            sb.Append(Button("refuse", "不予发布", "<input name=reason id=refuse-reason-input maxlength=200 placeholder=\"退回原因（必填）\">"));
        }
        if (w.Status is WishStatus.Reviewing or WishStatus.Published or WishStatus.Claimed && (mine || moderator))
            sb.Append(Button("cancel", "撤销心愿", Reason("cancel", mine ? "原因（必填），如：问题已解决" : "撤销原因（必填）"), " quiet"));
        sb.Append("<p class=back><a href=\"/h5/wishes\">返回心愿列表</a></p>");
        sb.Append(Footer(viewer.User, viewers.Subdistrict));
        return sb;
    }

    internal static async Task<IResult> ActForm(long id, string action, HttpContext http, H5Viewer viewers,
        [AsParameters] WishServices wishes, PhotoIntake intake, IOptions<WishOptions> options, CancellationToken ct)
    {
        var (result, viewer) = await SignInAsync(http, viewers, wishes, ct);
        if (result is not null)
            return result;
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        if (form is null || !viewers.FormTokenMatches(viewer!.User.WechatUserId, form["ft"]))
            return Message(StatusCodes.Status403Forbidden, "请求无效", "页面已过期，请返回刷新后再试。");
        int.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var version);
        try
        {
            await using var photos = action == "fulfil" ? await ReceivePhotosAsync(form, intake, ct) : new IncomingPhotos(intake);
            _ = action switch
            {
                "claim" => await wishes.Transitions.ClaimAsync(id, version, viewer.Actor, ct),
                "confirm" => await wishes.Transitions.ConfirmAsync(id, version, viewer.Actor, ct),
                "approve" => await wishes.Transitions.ApproveAsync(id, version, viewer.Actor, ct),
                "release" => await wishes.Transitions.ReleaseAsync(id, version, form["reason"], viewer.Actor, ct),
                "cancel" => await wishes.Transitions.CancelAsync(id, version, form["reason"], viewer.Actor, ct),
                "fulfil" => await wishes.Submissions.FulfilAsync(id, version, form["note"], [], viewer.Actor, ct,
                    inline: new InlinePhotos(photos.Count, photos.StoreAsync)),
                _ => await wishes.Transitions.RefuseAsync(id, version, form["reason"], viewer.Actor, ct),
            };
            return Results.Redirect($"/h5/wishes/{id}?done={action}");
        }
        catch (Exception ex) when (ex is RuleViolationException or LimitExceededException or ConflictException or ForbiddenException
                                       or InvalidDataException)
        {
            var found = await wishes.Reads.GetAsync(id, ct);
            if (found is not { } f || !WishReads.CanSee(f.Wish, f.WisherUnionId, viewer.Actor))
                return Message(StatusCodes.Status404NotFound, "未找到", "没有这个心愿。");
            var status = ex switch
            {
                LimitExceededException => StatusCodes.Status429TooManyRequests,
                ForbiddenException => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status409Conflict,
            };
            return Page(http, Detail(f.Wish, f.WisherUnionId, viewer, viewers, wishes, options.Value, null, ex.Message), status);
        }
        catch (NotFoundException)
        {
            return Message(StatusCodes.Status404NotFound, "未找到", "没有这个心愿。");
        }
    }

    /// <summary>A wish photo by its signed link: WeChat's image check and those the link was shown to.</summary>
    internal static async Task<IResult> Photo(long id, string sha256, long? e, string? s, HttpContext http,
        [AsParameters] WishServices wishes, IFileStore files, CancellationToken ct)
    {
        if (!wishes.Links.VerifyPhotoLink(id, sha256, e, s))
            return Results.NotFound();
        var photo = await wishes.Reads.PhotoAsync(id, sha256, ct);
        var bytes = photo is null ? null : await files.ReadVerifiedAsync(new StoredFile(photo.Sha256, photo.Size, photo.RelativePath), ct);
        if (photo is null || bytes is null)
            return Results.NotFound();
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.File(bytes, photo.ContentType);
    }

    private static IResult Page(HttpContext http, StringBuilder sb, int status = StatusCodes.Status200OK) =>
        H5Layout.Page(http, sb.ToString(), status);

    private static string Footer(H5User user, string subdistrict) =>
        $"<footer>{(user.Name is { } n ? E(n) + " · " : "")}{E(subdistrict)}党建质量管理 · 微心愿</footer></body></html>";

    private static string ListUrl(string tab, long? community) =>
        $"/h5/wishes?status={tab}" + (community is { } c ? $"&community={c}" : "");

    private static IResult Message(int status, string title, string text) =>
        H5Layout.Message(status, title, text, Style, "<p class=back><a href=\"/h5/wishes\">返回心愿列表</a></p>");

    private static string Head(string title) => H5Layout.Head(title, Style);

    private const string Style = """
        select,input,textarea{font-size:15px;padding:7px;border:1px solid #ddd;border-radius:4px;background:#fff;max-width:100%;font-family:inherit}
        .post{margin-left:auto;background:#b71c1c;color:#fff;padding:7px 12px;border-radius:16px;text-decoration:none;font-size:14px}
        .wishes{list-style:none;margin:0;padding:0}.wish a{display:block;background:#fff;margin:8px 10px;padding:12px;border-radius:8px;color:#222;text-decoration:none}
        .wish .title{display:block;margin:6px 0 4px;font-size:16px}.wish small{display:block;color:#888;font-size:12px}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;background:#999}
        .badge.published{background:#d4380d}.badge.claimed{background:#fa8c16}.badge.fulfilled{background:#1677ff}.badge.lit{background:#c9a227}
        .badge.reviewing{background:#8c8c8c}.badge.refused,.badge.cancelled{background:#bfbfbf}
        .card{background:#fff;margin:10px;padding:14px;border-radius:8px}.card label{display:block;margin:0 0 12px;font-size:13px;color:#666}
        .card input,.card textarea,.card select{display:block;width:100%;margin-top:4px}
        dl{display:grid;grid-template-columns:5.5em 1fr;gap:6px 8px;font-size:14px}dt{color:#888}dd{margin:0}
        .desc{white-space:pre-wrap;line-height:1.6}
        .photos{display:flex;flex-wrap:wrap;gap:8px}.photos figure{margin:0;width:31%}.photos img{width:100%;border-radius:4px;aspect-ratio:1;object-fit:cover;background:#eee}
        figcaption{font-size:11px;color:#999}
        button{display:block;width:100%;padding:11px;font-size:16px;border:0;border-radius:22px;background:#b71c1c;color:#fff}
        .act{margin:10px}.act input,.act textarea{display:block;width:100%;margin-bottom:8px}
        .act label{display:block;font-size:13px;color:#666}.act label input,.act label textarea{margin-top:4px}
        .act.quiet{margin-top:18px}.act.quiet button{background:#fff;color:#b71c1c;border:1px solid #b71c1c}
        .done{margin:10px;padding:10px;background:#f6ffed;border:1px solid #b7eb8f;border-radius:4px;color:#389e0d}
        .error{margin:10px;padding:10px;background:#fff1f0;border:1px solid #ffa39e;border-radius:4px;color:#cf1322}
        .note,.back,footer{margin:10px 14px;font-size:12px;color:#888}.back a{color:#1677ff}
        """;
}
