using Microsoft.Extensions.Logging;
using WxQms.Domain.Logging;

namespace WxQms.Domain.Wechat.Callbacks;

/// <summary>Which app a push came to, and the opened message.</summary>
public sealed record CallbackContext(WechatAppOptions App, InboundMessage Message, long InboundId, DateTimeOffset ReceivedAt);

/// <summary>
/// Handles one kind of push, named by <see cref="Key"/>: the MsgType (<c>text</c>, <c>image</c>) or
/// <c>event:</c> plus the Event (<c>event:subscribe</c>, <c>event:TEMPLATESENDJOBFINISH</c>). Returns
/// the passive reply (XML from <see cref="WechatXml.WriteReply"/>) or null for a plain <c>success</c>.
/// Handlers run before the acknowledgement, so they must be quick: slow work is queued as a row.
/// </summary>
public interface ICallbackHandler
{
    IEnumerable<string> Keys { get; }

    Task<string?> HandleAsync(CallbackContext context, CancellationToken ct);
}

/// <summary>The handler table, with a mandatory default for anything nobody handles yet.</summary>
public sealed class CallbackDispatcher
{
    private readonly Dictionary<string, ICallbackHandler> handlers = new(StringComparer.OrdinalIgnoreCase);
    private readonly DefaultReplyHandler fallback;
    private readonly ILogger<CallbackDispatcher> log;

    public CallbackDispatcher(IEnumerable<ICallbackHandler> registered, DefaultReplyHandler fallback, ILogger<CallbackDispatcher> log)
    {
        foreach (var handler in registered)
        {
            foreach (var key in handler.Keys)
            {
                if (!handlers.TryAdd(key, handler))
                    throw new InvalidOperationException($"Two callback handlers claim '{key}'");
            }
        }
        this.fallback = fallback;
        this.log = log;
    }

    public static string KeyOf(InboundMessage m) => m.IsEvent ? $"event:{m.Event}" : m.MsgType;

    public async Task<string> DispatchAsync(CallbackContext context, CancellationToken ct)
    {
        var key = KeyOf(context.Message);
        var handler = handlers.GetValueOrDefault(key) ?? fallback;
        log.LogDebug("Callback {Key} from {User} handled by {Handler}", key, LogMask.OpenId(context.Message.FromUserName),
            handler.GetType().Name);
        return await handler.HandleAsync(context, ct) ?? "success";
    }
}
