using System.Text.Json;
using WxQms.Domain.Wechat;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox;

/// <summary>
/// Template messages (OA, PROTOCOL §4), customer-service messages (OA and MP, §8.1), subscribe
/// messages (MP, §5.2–5.4) and the consent helper that stands in for wx.requestSubscribeMessage.
/// </summary>
internal static class SandboxMessageEndpoints
{
    public static void MapSandboxMessages(this RouteGroupBuilder wx)
    {
        wx.MapPost("/cgi-bin/message/template/send", SendTemplate);
        wx.MapPost("/cgi-bin/message/custom/send", SendCustom);
        wx.MapPost("/cgi-bin/message/subscribe/send", SendSubscribe);
        wx.MapPost("/mp/subscriptions", AcceptSubscriptions);
        wx.MapGet("/mp/subscriptions", RemainingSubscriptions);
        wx.MapGet("/messages/stats", Stats);
    }

    /// <summary>
    /// Sandbox helper: template sends accepted (each client_msg_id's count), how many client_msg_ids sent
    /// more than once got through, and repeats WeChat's de-duplication dropped. Benchmarks read it.
    /// </summary>
    internal static IResult Stats(SandboxWechat sandbox)
    {
        var accepted = sandbox.Messages.AcceptedByClientMsgId;
        return SandboxHttp.Answer(new
        {
            accepted = accepted.Values.Sum(),
            clientMsgIds = accepted.Count,
            acceptedMoreThanOnce = accepted.Count(a => a.Value > 1),
            repeatsDropped = sandbox.Messages.RepeatsDropped,
        });
    }

    /// <summary>Checks in WeChat's order: openid, follow, template, fields; then client_msg_id de-dup.</summary>
    internal static async Task<IResult> SendTemplate(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        var (root, users, error) = await OpenSendAsync(request, sandbox, "message/template/send", SandboxApp.Oa, ct);
        if (error is not null)
            return error;
        if (root.Text("touser") is not { } touser || !users.ByOpenId.TryGetValue(touser, out var user))
            return Answer(SandboxWechat.Fail(40003, "invalid openid"));
        if (!sandbox.Users.Follows(user))
            return Answer(SandboxWechat.Fail(43004, "require subscribe"));
        if (sandbox.Messages.Template(root.Text("template_id"), SandboxApp.Oa) is not { } template)
            return Answer(SandboxWechat.Fail(40037, "invalid template_id"));
        var (fields, violation) = ReadFields(root, template);
        if (violation is not null)
            return Answer(SandboxWechat.Fail(47003, violation.ErrMsg));
        if (sandbox.Messages.SendLatency > TimeSpan.Zero)
            await Task.Delay(sandbox.Messages.SendLatency, CancellationToken.None); // a caller that hangs up changes nothing

        var msgId = sandbox.Messages.ClaimMsgId(user.OpenId, root.Text("client_msg_id"), out var repeat);
        if (!repeat)
        {
            var miniprogram = root.Child("miniprogram", JsonValueKind.Object);
            sandbox.Messages.Deliver(user, new SandboxInboxMessage(0, SandboxApp.Oa, user.OpenId, "template", default,
                TemplateId: template.Id, Title: template.Title, Fields: fields, Url: root.Text("url"),
                Page: miniprogram?.Text("pagepath"), MsgId: msgId));
            sandbox.Messages.QueuePush(new SandboxPendingPush("TEMPLATESENDJOBFINISH", SandboxApp.Oa, user.OpenId,
                sandbox.Clock.GetUtcNow(), msgId, "success", template.Id));
        }
        return Answer(new { errcode = 0, errmsg = "ok", msgid = msgId });
    }

    /// <summary>What every send does first: the token, then the JSON body, then who the users are.</summary>
    private static async Task<(JsonElement Root, SandboxUserDirectory Users, IResult? Error)> OpenSendAsync(HttpRequest request,
        SandboxWechat sandbox, string api, SandboxApp app, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), api, app) is { } refused)
            return (default, null!, Answer(refused));
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return (default, null!, Answer(bad));
        return (body!.Root, await sandbox.Users.GetAsync(ct), null);
    }

    /// <summary>
    /// The template's fields in its order. A key the template lacks is ignored (WeChat filters first and
    /// remark the same way); a key the request lacks counts as empty, which WeChat refuses.
    /// </summary>
    private static (IReadOnlyList<SandboxField> Fields, TemplateFieldViolation? Violation) ReadFields(JsonElement root,
        SandboxTemplate template)
    {
        var data = root.Child("data", JsonValueKind.Object);
        var fields = new List<SandboxField>();
        foreach (var field in template.Fields)
        {
            var value = data?.Child(field.Key, JsonValueKind.Object)?.Text("value") ?? "";
            if (TemplateFieldRules.Check(field.Key, value) is { } violation)
                return ([], violation);
            fields.Add(new SandboxField(field.Key, field.Label, Displayed(field.Key, value)));
        }
        return (fields, null);
    }

    /// <summary>Old-template values over 20 characters are folded, not refused (PROTOCOL §4.4).</summary>
    private static string Displayed(string key, string value)
    {
        if (TemplateFieldRules.TypeOf(key) != TemplateFieldType.Untyped)
            return value;
        var runes = value.EnumerateRunes().ToArray();
        return runes.Length <= 20 ? value : string.Concat(runes.Take(20).Select(r => r.ToString())) + "…";
    }

    /// <summary>Customer-service messages: only inside the window a user's own message opens (§8.1).</summary>
    internal static async Task<IResult> SendCustom(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), "message/custom/send", out var appId) is { } refused)
            return Answer(refused);
        if (sandbox.AppOf(appId) is not { } app)
            return Answer(SandboxWechat.Fail(48001, "api unauthorized"));
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return Answer(bad);
        var root = body!.Root;

        var users = await sandbox.Users.GetAsync(ct);
        var byOpenId = app == SandboxApp.Oa ? users.ByOpenId : users.ByMpOpenId;
        if (root.Text("touser") is not { } touser || !byOpenId.TryGetValue(touser, out var user))
            return Answer(SandboxWechat.Fail(40003, "invalid openid"));
        if (app == SandboxApp.Oa && !sandbox.Users.Follows(user))
            return Answer(SandboxWechat.Fail(45015, "response out of time limit or subscription is canceled"));

        var (message, invalid) = ReadCustom(root, app, touser, sandbox);
        if (invalid is not null)
            return Answer(invalid);
        if (sandbox.Users.UseCustomerServiceWindow(touser) is { } closed)
            return Answer(closed);
        sandbox.Messages.Deliver(user, message!);
        return Ok();
    }

    private static (SandboxInboxMessage? Message, SandboxWechat.Error? Error) ReadCustom(JsonElement root, SandboxApp app,
        string openid, SandboxWechat sandbox)
    {
        var msgType = root.Text("msgtype") ?? "";
        var part = root.Child(msgType, JsonValueKind.Object);
        var message = new SandboxInboxMessage(0, app, openid, "custom", default, MsgType: msgType);
        SandboxWechat.Error? MissingMedia(string? mediaId) =>
            sandbox.Media.Find(app, mediaId) is null ? SandboxWechat.Fail(40007, "invalid media_id") : null;

        switch (msgType)
        {
            case "text":
                var content = part?.Text("content");
                return string.IsNullOrEmpty(content)
                    ? (null, SandboxWechat.Fail(44004, "empty content"))
                    : (message with { Text = content }, null);
            case "image" or "voice":
                var mediaId = part?.Text("media_id");
                return MissingMedia(mediaId) is { } noMedia ? (null, noMedia) : (message with { MediaId = mediaId }, null);
            case "video":
                var videoId = part?.Text("media_id");
                return MissingMedia(videoId) is { } noVideo
                    ? (null, noVideo)
                    : (message with { MediaId = videoId, Title = part?.Text("title"), Text = part?.Text("description") }, null);
            case "news":
                var articles = part?.Child("articles", JsonValueKind.Array)?.EnumerateArray()
                    .Select(a => new SandboxArticle(a.Text("title"), a.Text("description"), a.Text("url"), a.Text("picurl")))
                    .ToList() ?? [];
                return articles.Count switch
                {
                    0 => (null, SandboxWechat.Fail(44003, "empty news data")),
                    > 1 => (null, SandboxWechat.Fail(45008, "article size out of limit")),
                    _ => (message with { Articles = articles, Title = articles[0].Title, Url = articles[0].Url }, null),
                };
            case "miniprogrampage":
                var thumb = part?.Text("thumb_media_id");
                return MissingMedia(thumb) is { } noThumb
                    ? (null, noThumb)
                    : (message with { Title = part?.Text("title"), Page = part?.Text("pagepath"), MediaId = thumb }, null);
            default:
                return (null, SandboxWechat.Fail(40008,
                    "invalid message type (the sandbox knows text, image, voice, video, news, miniprogrampage)"));
        }
    }

    /// <summary>One send per accepted consent (§5.4); the fields are checked before consent is spent.</summary>
    internal static async Task<IResult> SendSubscribe(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        var (root, users, error) = await OpenSendAsync(request, sandbox, "message/subscribe/send", SandboxApp.Mp, ct);
        if (error is not null)
            return error;
        if (root.Text("touser") is not { } touser || !users.ByMpOpenId.TryGetValue(touser, out var user))
            return Answer(SandboxWechat.Fail(40003, "invalid openid"));
        if (sandbox.Messages.Template(root.Text("template_id"), SandboxApp.Mp) is not { } template)
            return Answer(SandboxWechat.Fail(40037, "invalid template_id"));
        var (fields, violation) = ReadFields(root, template);
        if (violation is not null)
            return Answer(SandboxWechat.Fail(47003, violation.ErrMsg));
        if (!sandbox.Messages.TryUseConsent(touser, template.Id))
            return Answer(SandboxWechat.Fail(43101, "user refuse to accept the msg"));

        var msgId = sandbox.Messages.NextMsgId();
        sandbox.Messages.Deliver(user, new SandboxInboxMessage(0, SandboxApp.Mp, touser, "subscribe", default,
            TemplateId: template.Id, Title: template.Title, Fields: fields, Page: root.Text("page"), MsgId: msgId));
        sandbox.Messages.QueuePush(new SandboxPendingPush("subscribe_msg_sent_event", SandboxApp.Mp, touser,
            sandbox.Clock.GetUtcNow(), msgId, "success", template.Id));
        return Ok();
    }

    public sealed record SubscriptionRequest(string? Openid, IReadOnlyList<string>? TemplateIds);

    /// <summary>
    /// What wx.requestSubscribeMessage does when the user taps "accept" for every template: one more
    /// send each. Errors use the client's codes (20001 unknown template, 20003 too many ids).
    /// </summary>
    internal static async Task<IResult> AcceptSubscriptions(SubscriptionRequest body, SandboxWechat sandbox,
        CancellationToken ct)
    {
        var users = await sandbox.Users.GetAsync(ct);
        if (body.Openid is null || !users.ByMpOpenId.ContainsKey(body.Openid))
            return HelperProblem(StatusCodes.Status404NotFound, $"沙箱中没有小程序 openid 为 {body.Openid} 的用户");
        var ids = body.TemplateIds ?? [];
        if (ids.Count == 0)
            return HelperProblem(StatusCodes.Status400BadRequest, "10001: templateIds 为空");
        if (ids.Count > 5)
            return HelperProblem(StatusCodes.Status400BadRequest, "20003: 一次最多订阅 5 个模板");
        if (ids.FirstOrDefault(id => sandbox.Messages.Template(id, SandboxApp.Mp) is null) is { } unknown)
            return HelperProblem(StatusCodes.Status400BadRequest, $"20001: 小程序模板 {unknown} 不存在");

        var remaining = sandbox.Messages.Accept(body.Openid, ids);
        return Answer(new
        {
            errMsg = "requestSubscribeMessage:ok",
            results = remaining.Keys.ToDictionary(id => id, _ => "accept"),
            remaining,
        });
    }

    internal static IResult RemainingSubscriptions(string openid, SandboxWechat sandbox) =>
        Answer(new { openid, remaining = sandbox.Messages.RemainingConsents(openid) });
}
