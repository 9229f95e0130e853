using Microsoft.Extensions.Logging;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Wechat.Callbacks;

/// <summary>What the bot says to anything it does not understand yet: a polite reply, never silence
/// (silence makes WeChat show "该公众号暂时无法提供服务" after its retries).</summary>
public sealed class DefaultReplyHandler(TimeProvider clock) : ICallbackHandler
{
    public const string Text = "您好，消息已收到。党建相关事项请使用下方菜单，或直接发送会议照片，我们会尽快处理。";
    public const string ComingSoon = "该功能即将开放，敬请期待。";

    public IEnumerable<string> Keys => [];

    public Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        var m = context.Message;
        var text = (m.IsEvent, m.Event?.ToUpperInvariant()) switch
        {
            (false, _) => Text,
            // The user tapped a button or scanned a code and waits for something to happen.
            (true, "CLICK" or "SCAN" or "SCANCODE_WAITMSG") => ComingSoon,
            // Other events (VIEW, LOCATION, delivery reports…) expect no answer.
            _ => null,
        };
        return Task.FromResult(text is null ? null : WechatXml.WriteReply(PassiveReply.Text(m, clock.GetUtcNow(), text)));
    }
}

/// <summary>Records WeChat's final delivery status against the template message we sent (its MsgID).</summary>
public sealed class TemplateSendJobFinishHandler(OutboundStore outbound) : ICallbackHandler
{
    public IEnumerable<string> Keys => ["event:TEMPLATESENDJOBFINISH"];

    public async Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        var m = context.Message;
        if (m.MsgId is { } msgId
            && !await outbound.RecordDeliveryAsync(context.App.AppId, msgId, m.Status ?? "unknown", context.ReceivedAt, ct))
            await outbound.RecordOrphanAsync(context.App.AppId, m.FromUserName, msgId, null, m.Status ?? "unknown", context.ReceivedAt, ct);
        return null;
    }
}

/// <summary>
/// Subscribe-message events (PROTOCOL §1.6): the consent answers a user gave in the pop-up or changed
/// in settings are recorded (a "reject" in settings ends what consent was left), and each sent-event
/// reports the delivery of a subscribe message we sent.
/// </summary>
public sealed class SubscribeMessageEventHandler(SubscriptionStore subscriptions, OutboundStore outbound) : ICallbackHandler
{
    public IEnumerable<string> Keys =>
        ["event:subscribe_msg_popup_event", "event:subscribe_msg_change_event", "event:subscribe_msg_sent_event"];

    public async Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        var m = context.Message;
        var sent = string.Equals(m.Event, "subscribe_msg_sent_event", StringComparison.OrdinalIgnoreCase);
        // A template id or an answer that is not a plain ASCII token is no WeChat's: skipped, never stored (the columns are ASCII).
        foreach (var item in m.SubscribeMsgItems.Where(i => IsToken(i.TemplateId)))
        {
            if (sent)
            {
                var status = item.ErrorCode is null or "0" ? "success" : $"failed:{item.ErrorStatus ?? item.ErrorCode}";
                if (!await outbound.RecordSubscribeDeliveryAsync(context.App.AppId, m.FromUserName, item.TemplateId, item.MsgId, status,
                        context.ReceivedAt, ct))
                    await outbound.RecordOrphanAsync(context.App.AppId, m.FromUserName, item.MsgId, item.TemplateId, status,
                        context.ReceivedAt, ct);
            }
            else if (item.SubscribeStatus is { } answer && IsToken(answer))
            {
                var changed = string.Equals(m.Event, "subscribe_msg_change_event", StringComparison.OrdinalIgnoreCase);
                await subscriptions.RecordPushAsync(context.App.AppId, m.FromUserName, item.TemplateId, answer, changed,
                    context.ReceivedAt, ct);
            }
        }
        return null;
    }

    private static bool IsToken(string value) => value.Length is > 0 and <= 128 && value.All(c => c is > ' ' and <= '~');
}

/// <summary>Stores the verdict of an asynchronous image check (wxa_media_check) against its trace_id.</summary>
public sealed class MediaCheckHandler(MediaCheckStore checks, IEnumerable<IMediaCheckListener> listeners, ILogger<MediaCheckHandler> log)
    : ICallbackHandler
{
    public IEnumerable<string> Keys => ["event:wxa_media_check"];

    public async Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        var m = context.Message;
        if (m.TraceId is { Length: > 0 } traceId && m.MediaCheckSuggest is { Length: > 0 } suggest)
        {
            // WeChat's trace ids, suggestions and labels are short ASCII words (and so are their columns).
            if (!Word(traceId, 128) || !Word(suggest, 16) || m.MediaCheckLabel is { } label && !Word(label, 16))
            {
                log.LogWarning("Ignored a wxa_media_check push whose trace_id, suggest or label is no WeChat word");
                return null;
            }
            await checks.RecordAsync(context.App.AppId, m.FromUserName, new MediaCheckVerdict(traceId, suggest, m.MediaCheckLabel),
                context.ReceivedAt, ct);
            foreach (var listener in listeners)
                await listener.OnVerdictAsync(traceId, suggest, m.MediaCheckLabel, ct);
        }
        return null;
    }

    private static bool Word(string value, int maxLength) =>
        value.Length <= maxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
