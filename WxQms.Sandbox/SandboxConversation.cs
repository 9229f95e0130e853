using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Sandbox;

/// <summary>
/// A user talking to the account: <c>POST /sandbox/wechat/users/{openid}/messages</c> sends a text,
/// a photo or an event to our callback exactly as WeChat would and answers with what the callback
/// said; <c>GET …/chat</c> is the conversation both ways, which the phone page shows. Pushes WeChat
/// owes us (TEMPLATESENDJOBFINISH after a template send, wxa_media_check) go out from here too.
/// </summary>
public static class SandboxConversation
{
    public sealed record UserMessage(
        [property: JsonPropertyName("msgType")] string? MsgType,
        [property: JsonPropertyName("content")] string? Content,
        [property: JsonPropertyName("mediaId")] string? MediaId,
        [property: JsonPropertyName("event")] string? Event,
        [property: JsonPropertyName("eventKey")] string? EventKey,
        [property: JsonPropertyName("ticket")] string? Ticket = null);

    public const int MaxTextLength = 2048;

    public static void MapSandboxConversation(this RouteGroupBuilder wx)
    {
        wx.MapPost("/users/{openid}/messages", SendAsync);
        wx.MapGet("/users/{openid}/chat", ChatAsync);
    }

    internal static async Task<IResult> SendAsync(string openid, UserMessage message, SandboxWechat sandbox, SandboxPush push,
        IOptionsMonitor<WechatOptions> options, CancellationToken ct)
    {
        if (await sandbox.Users.FindAsync(openid, ct) is not { } user)
            return SandboxHttp.HelperProblem(StatusCodes.Status404NotFound, $"沙箱中没有 openid 为 {openid} 的用户");
        var app = user.MpOpenId == openid ? SandboxApp.Mp : SandboxApp.Oa;

        var (xml, problem) = Build(app, openid, message, sandbox, push, options.CurrentValue);
        if (problem is not null)
            return SandboxHttp.HelperProblem(StatusCodes.Status400BadRequest, problem);
        if (app == SandboxApp.Oa && message.MsgType != "event" && !sandbox.Users.Follows(user))
            return SandboxHttp.HelperProblem(StatusCodes.Status409Conflict, "用户尚未关注公众号，不能发送消息（先发送 subscribe 事件）");

        ApplyToUser(sandbox, user, message);
        sandbox.Messages.Deliver(user, new SandboxInboxMessage(0, app, openid, "user", default,
            MsgType: message.MsgType == "event" ? $"event:{message.Event}" : message.MsgType, Text: message.Content,
            MediaId: message.MediaId, Url: message.EventKey));

        var result = await push.DeliverAsync(app, xml!, ct);
        var shown = Show(sandbox, user, app, openid, result);
        return SandboxHttp.Answer(new
        {
            outcome = result.Outcome.ToString().ToLowerInvariant(),
            deliveries = result.Deliveries,
            reply = shown,
            problems = result.Problems,
        });
    }

    internal static Task<IResult> ChatAsync(string openid, SandboxWechat sandbox, long? after, CancellationToken ct) =>
        SandboxUserEndpoints.Messages(openid, sandbox, includeUserMessages: true, after, ct);

    /// <summary>Delivers the pushes WeChat owes our callbacks; run by <see cref="SandboxPushDelivery"/> and by tests.</summary>
    public static async Task<int> DeliverPendingAsync(SandboxWechat sandbox, SandboxPush push, CancellationToken ct)
    {
        var delivered = 0;
        foreach (var p in sandbox.Messages.DrainPendingPushes())
        {
            var xml = p.Event switch
            {
                "TEMPLATESENDJOBFINISH" => push.UserMessage(p.App, p.OpenId, "event", p.MsgId,
                    ("Event", p.Event), ("Status", p.Status ?? "success")),
                "wxa_media_check" => push.MiniProgramEvent(p.OpenId, p.Event, new Dictionary<string, object?>
                {
                    ["appid"] = sandbox.Options.Mp.AppId,
                    ["trace_id"] = p.TraceId,
                    ["version"] = 2,
                    // A real push carried the label as a string once (PROTOCOL §5.6); the sandbox does too.
                    ["result"] = new { suggest = p.Status ?? "pass", label = p.Label ?? "100" },
                    ["detail"] = new[] { new { strategy = "content_model", errcode = 0, suggest = p.Status ?? "pass",
                        label = int.Parse(p.Label ?? "100", System.Globalization.CultureInfo.InvariantCulture), prob = 90 } },
                }),
                // The mini program's console is set to JSON: the report is one List item (PROTOCOL §1.6).
                "subscribe_msg_sent_event" => push.MiniProgramEvent(p.OpenId, p.Event, new Dictionary<string, object?>
                {
                    ["List"] = new { TemplateId = p.TemplateId, MsgID = p.MsgId, ErrorCode = 0, ErrorStatus = p.Status ?? "success" },
                }),
                _ => push.UserMessage(p.App, p.OpenId, "event", null, ("Event", p.Event), ("trace_id", p.TraceId),
                    ("TemplateId", p.TemplateId), ("Status", p.Status)),
            };
            await push.DeliverAsync(p.App, xml, ct);
            delivered++;
        }
        return delivered;
    }

    private static (string? Xml, string? Problem) Build(SandboxApp app, string openid, UserMessage m, SandboxWechat sandbox,
        SandboxPush push, WechatOptions options)
    {
        switch (m.MsgType)
        {
            case "text":
                if (string.IsNullOrWhiteSpace(m.Content))
                    return (null, "文字消息不能为空");
                if (m.Content.Length > MaxTextLength)
                    return (null, $"文字消息最长 {MaxTextLength} 字");
                return (push.UserMessage(app, openid, "text", sandbox.Messages.NextMsgId(), ("Content", m.Content)), null);
            case "image":
                if (string.IsNullOrEmpty(m.MediaId) || !sandbox.Media.Exists(m.MediaId))
                    return (null, "图片消息需要先上传图片（POST /sandbox/wechat/media），再用返回的 mediaId 发送");
                var picUrl = $"{options.Sandbox.CallbackBase.TrimEnd('/')}/sandbox/wechat/media/{Uri.EscapeDataString(m.MediaId)}";
                return (push.UserMessage(app, openid, "image", sandbox.Messages.NextMsgId(), ("PicUrl", picUrl),
                    ("MediaId", m.MediaId)), null);
            case "event":
                if (string.IsNullOrWhiteSpace(m.Event))
                    return (null, "事件消息需要 event，例如 subscribe、CLICK、VIEW");
                return (push.UserMessage(app, openid, "event", null, ("Event", m.Event), ("EventKey", m.EventKey),
                    ("Ticket", m.Ticket)), null);
            default:
                return (null, "msgType 只能是 text、image 或 event");
        }
    }

    private static void ApplyToUser(SandboxWechat sandbox, SandboxUser user, UserMessage m)
    {
        switch (m.MsgType, m.Event)
        {
            case ("event", "subscribe"):
                sandbox.Users.SetFollows(user.OpenId, true);
                break;
            case ("event", "unsubscribe"):
                sandbox.Users.SetFollows(user.OpenId, false);
                break;
            case ("text" or "image", _):
                sandbox.Users.RecordInteraction(user.OpenId);
                break;
        }
    }

    /// <summary>Puts what the user now sees into the conversation: the passive reply, or WeChat's error line.</summary>
    private static SandboxInboxMessage? Show(SandboxWechat sandbox, SandboxUser user, SandboxApp app, string openid, PushResult result)
    {
        if (result.Outcome == PushOutcome.Unavailable)
            return sandbox.Messages.Deliver(user, new SandboxInboxMessage(0, app, openid, "passive", default, MsgType: "error",
                Text: PushResult.UnavailableText));
        if (result.Reply is not { } reply)
            return null;

        var articles = reply.Root.Child("Articles")?.ChildrenNamed("item")
            .Select(i => new SandboxArticle(i.Child("Title")?.Value, i.Child("Description")?.Value, i.Child("Url")?.Value,
                i.Child("PicUrl")?.Value))
            .ToList();
        return sandbox.Messages.Deliver(user, new SandboxInboxMessage(0, app, openid, "passive", default,
            MsgType: reply.MsgType, Text: reply.Content, MediaId: reply.Get("Image.MediaId"),
            Articles: articles is { Count: > 0 } ? articles : null));
    }
}

/// <summary>Sends the pushes WeChat owes our callbacks shortly after they arise, on the sandbox's clock.</summary>
public sealed class SandboxPushDelivery(SandboxWechat sandbox, SandboxPush push, TimeProvider clock,
    IOptionsMonitor<WechatOptions> options, ILogger<SandboxPushDelivery> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (options.CurrentValue.Sandbox is not { Enabled: true, AutoDeliverPushes: true })
                    continue;
                try
                {
                    await SandboxConversation.DeliverPendingAsync(sandbox, push, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning(ex, "Sandbox push delivery failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
