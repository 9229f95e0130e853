using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Logging;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Wechat.Callbacks;

public enum WechatAppKind
{
    OfficialAccount,
    MiniProgram,
}

/// <summary>What the endpoint answers: a status and a body (XML, a JSON envelope, <c>success</c> or empty).</summary>
public sealed record CallbackAnswer(int StatusCode, string Body)
{
    public string ContentType =>
        Body.StartsWith('<') ? "application/xml; charset=utf-8"
        : Body.StartsWith('{') ? "application/json; charset=utf-8"
        : "text/plain; charset=utf-8";
}

/// <summary>
/// Receives a push: checks and opens it, records it once in MySQL (the unique dedupe key makes a
/// retried delivery a no-op), dispatches it, keeps the reply with the record so that a retry gets
/// the same answer, and seals the reply the way the request came. Slow work is only queued here.
/// </summary>
public sealed class CallbackInbox(
    InboundStore store,
    CallbackDispatcher dispatcher,
    CallbackNonces nonces,
    IOptionsMonitor<WechatOptions> options,
    TimeProvider clock,
    ILogger<CallbackInbox> log)
{
    /// <summary>How long a retry waits for the first delivery's reply before answering "success".</summary>
    private static readonly TimeSpan ReplyWait = TimeSpan.FromSeconds(3);

    /// <summary>How long the handlers of one push may run: inside WeChat's 5-second deadline.</summary>
    public static readonly TimeSpan HandlerBudget = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long a delivery holds its message for its handlers: past their budget, so that only a delivery whose
    /// handler died with its process leaves a hold for a retry to take over.
    /// </summary>
    public static readonly TimeSpan Hold = HandlerBudget + TimeSpan.FromSeconds(1);

    public UrlVerification Verify(WechatAppKind kind, CallbackQuery query)
    {
        var app = App(kind);
        if (string.IsNullOrEmpty(app.Token))
            return new UrlVerification(false, null, CallbackRejection.MissingParameter);
        return CallbackEnvelope.VerifyUrl(query, app.Token);
    }

    public async Task<CallbackAnswer> ReceiveAsync(WechatAppKind kind, CallbackQuery query, string body, CancellationToken ct)
    {
        var app = App(kind);
        if (string.IsNullOrEmpty(app.Token))
        {
            log.LogError("A {Kind} push arrived but Wechat:{Section}:Token is not configured", kind, Section(kind));
            return new CallbackAnswer(503, "");
        }

        var now = clock.GetUtcNow();
        var settings = Settings(kind, app);
        var opened = CallbackEnvelope.Open(query, body, settings, now);
        if (opened is CallbackRejected rejected)
        {
            log.LogWarning("Refused a {Kind} push: {Reason} ({Detail})", kind, rejected.Reason, rejected.Detail);
            return new CallbackAnswer(rejected.Reason is CallbackRejection.BadBody or CallbackRejection.BodyTooLarge
                or CallbackRejection.UnsupportedFormat ? 400 : 401, "");
        }

        var accepted = (CallbackAccepted)opened;
        if (accepted.Mode == CallbackMode.Plaintext
            && !await nonces.TryUseAsync(app.AppId, accepted.Timestamp, accepted.Nonce, body, settings.TimestampToleranceSeconds))
        {
            log.LogWarning("Refused a {Kind} push: its nonce came with another body within the window (a replay)", kind);
            return new CallbackAnswer(401, "");
        }
        var message = accepted.Message;
        var reception = await store.RecordAsync(new NewInbound(
            app.AppId,
            message.DedupeKey,
            message.FromUserName,
            message.MsgType,
            message.Event,
            JsonSerializer.Serialize(message.Fields, JsonDefaults.Storage),
            now,
            WorkFor(message)), now + Hold, ct);

        string reply;
        if (reception.Handle)
        {
            if (reception.IsRepeat)
                log.LogWarning("Repeated delivery of inbound {InboundId} from {User} found no reply and no handler at work: handling it now",
                    reception.Id, LogMask.OpenId(message.FromUserName));
            reply = await HandleAsync(kind, new CallbackContext(app, message, reception.Id, now));
        }
        else
        {
            log.LogInformation("Repeated delivery of inbound {InboundId} from {User}: answering with the first delivery's reply",
                reception.Id, LogMask.OpenId(message.FromUserName));
            reply = await WaitForReplyAsync(reception.Id, ct) ?? "success";
        }
        return new CallbackAnswer(200, CallbackEnvelope.SealReply(reply, accepted, settings, clock.GetUtcNow()));
    }

    /// <summary>
    /// Runs the handlers and keeps their reply. They run to the end of their own budget even when WeChat hangs up
    /// (it does at 5 s): a reply kept is what its retry answers, while handlers cut off half-way would be run again.
    /// A failure releases the hold, so the retry that follows our 500 handles the message afresh.
    /// </summary>
    private async Task<string> HandleAsync(WechatAppKind kind, CallbackContext context)
    {
        // Real time on purpose: the budget serves WeChat's real 5-second deadline, whatever the business clock says.
        using var budget = new CancellationTokenSource(HandlerBudget);
        try
        {
            var reply = await dispatcher.DispatchAsync(context, budget.Token);
            // Mini programs have no passive replies: handlers run for their effect, WeChat gets "success".
            if (kind == WechatAppKind.MiniProgram)
                reply = "success";
            await store.SaveReplyAsync(context.InboundId, reply, clock.GetUtcNow(), CancellationToken.None);
            return reply;
        }
        catch
        {
            await store.ReleaseAsync(context.InboundId, CancellationToken.None);
            throw;
        }
    }

    private static string? WorkFor(InboundMessage m) =>
        !m.IsEvent && m.MsgType == "image" && !string.IsNullOrEmpty(m.MediaId) ? InboundWorkKinds.DownloadMedia : null;

    private async Task<string?> WaitForReplyAsync(long id, CancellationToken ct)
    {
        // Real delays on purpose: this waits for another request in flight, not for business time.
        for (var waited = TimeSpan.Zero; waited < ReplyWait; waited += TimeSpan.FromMilliseconds(100))
        {
            if (await store.GetReplyAsync(id, ct) is { } reply)
                return reply;
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        return null;
    }

    private WechatAppOptions App(WechatAppKind kind) =>
        kind == WechatAppKind.OfficialAccount ? options.CurrentValue.Oa : options.CurrentValue.Mp;

    private static string Section(WechatAppKind kind) => kind == WechatAppKind.OfficialAccount ? "Oa" : "Mp";

    /// <summary>
    /// Each app's settings, kept while its configuration stays the same: a push would otherwise decode the key and
    /// build its crypto afresh. A changed key, token or window (an options reload) builds new ones.
    /// </summary>
    private CallbackSettings Settings(WechatAppKind kind, WechatAppOptions app)
    {
        var callback = options.CurrentValue.Callback;
        var wanted = new SettingsKey(app.Token!, app.EncodingAesKey, app.AppId, callback.TimestampToleranceSeconds, callback.AcceptPlaintext);
        var slot = kind == WechatAppKind.OfficialAccount ? 0 : 1;
        if (settingsCache[slot] is { } cached && cached.Key == wanted)
            return cached.Settings;
        var fresh = new CallbackSettings(app.Token!, string.IsNullOrEmpty(app.EncodingAesKey) ? null : new WechatCrypto(app.EncodingAesKey, app.AppId))
        {
            TimestampToleranceSeconds = callback.TimestampToleranceSeconds,
            AcceptPlaintext = callback.AcceptPlaintext,
        };
        settingsCache[slot] = new CachedSettings(wanted, fresh);
        return fresh;
    }

    private readonly CachedSettings?[] settingsCache = new CachedSettings?[2];

    private sealed record SettingsKey(string Token, string? AesKey, string AppId, int ToleranceSeconds, bool AcceptPlaintext);

    private sealed record CachedSettings(SettingsKey Key, CallbackSettings Settings);
}
