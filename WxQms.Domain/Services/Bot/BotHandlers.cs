using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Domain.Services.Bot;

/// <summary>The bot speaks on the official account only; pushes to the mini program's callback get "success".</summary>
public sealed class BotScope(IOptionsMonitor<WechatOptions> options)
{
    public bool IsOfficialAccount(CallbackContext context) =>
        string.Equals(context.App.AppId, options.CurrentValue.Oa.AppId, StringComparison.Ordinal);
}

/// <summary>Text messages: commands, binding answers, task choices; anything else gets the help text.</summary>
public sealed class BotTextHandler(BotService bot, BotScope scope, TimeProvider clock) : ICallbackHandler
{
    public IEnumerable<string> Keys => ["text"];

    public async Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        if (!scope.IsOfficialAccount(context))
            return null;
        var m = context.Message;
        var text = await bot.TextAsync(context.App.AppId, m.FromUserName, m.Content, context.ReceivedAt, ct);
        return WechatXml.WriteReply(PassiveReply.Text(m, clock.GetUtcNow(), text));
    }
}

/// <summary>Photos: refused politely before binding or for non-organisers, else gathered into the sender's burst.</summary>
public sealed class BotImageHandler(ChatPhotoService photos, BotScope scope, TimeProvider clock) : ICallbackHandler
{
    public IEnumerable<string> Keys => ["image"];

    public async Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        if (!scope.IsOfficialAccount(context))
            return null;
        var m = context.Message;
        var text = await photos.ReceiveAsync(context.App.AppId, m.FromUserName, context.InboundId, context.ReceivedAt, ct);
        return text is null ? null : WechatXml.WriteReply(PassiveReply.Text(m, clock.GetUtcNow(), text));
    }
}

/// <summary>
/// Following and scanning. A follow through a branch code (<c>qrscene_</c>) and a SCAN by a follower both
/// start the binding dialogue (a console sign-in code's, the console's confirmation); a plain follow gets the welcome; an unfollow is recorded.
/// </summary>
public sealed class BotFollowHandler(WechatUserStore users, BindingService binding, ConsoleSignInService console, Meetings.CheckinService checkins, BotScope scope,
    IOptions<SubdistrictOptions> subdistrict, TimeProvider clock) : ICallbackHandler
{
    public IEnumerable<string> Keys => ["event:subscribe", "event:unsubscribe", "event:SCAN"];

    public async Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        if (!scope.IsOfficialAccount(context))
            return null;
        var m = context.Message;
        var appId = context.App.AppId;
        string? text;
        if (string.Equals(m.Event, "unsubscribe", StringComparison.OrdinalIgnoreCase))
        {
            await users.SetSubscribedAsync(appId, m.FromUserName, false, context.ReceivedAt, ct);
            return null;
        }
        var subscribing = string.Equals(m.Event, "subscribe", StringComparison.OrdinalIgnoreCase);
        await users.SetSubscribedAsync(appId, m.FromUserName, true, context.ReceivedAt, ct);
        if (m.QrScene is { Length: > 0 } scene)
        {
            var answer = scene.StartsWith(ConsoleSignInService.ScenePrefix, StringComparison.Ordinal)
                ? await console.ScanAsync(appId, m.FromUserName, scene, context.ReceivedAt, ct)
                : Meetings.CheckinService.IsCheckinScene(scene)
                ? await checkins.ScanAsync(appId, m.FromUserName, scene, context.ReceivedAt, ct)
                : await binding.ScanAsync(appId, m.FromUserName, scene, context.ReceivedAt, ct);
            text = subscribing ? BotReplies.WelcomeShort(subdistrict.Value.Name) + answer : answer;
        }
        else
        {
            text = subscribing ? BotReplies.Welcome(subdistrict.Value.Name) : null;
        }
        return text is null ? null : WechatXml.WriteReply(PassiveReply.Text(m, clock.GetUtcNow(), text));
    }
}

/// <summary>Menu buttons of type click (我的任务, 工作台).</summary>
public sealed class BotClickHandler(BotService bot, BotScope scope, DefaultReplyHandler fallback, TimeProvider clock) : ICallbackHandler
{
    public IEnumerable<string> Keys => ["event:CLICK"];

    public async Task<string?> HandleAsync(CallbackContext context, CancellationToken ct)
    {
        if (!scope.IsOfficialAccount(context))
            return null;
        var m = context.Message;
        var text = await bot.ClickAsync(context.App.AppId, m.FromUserName, m.EventKey, context.ReceivedAt, ct);
        return text is null ? await fallback.HandleAsync(context, ct) : WechatXml.WriteReply(PassiveReply.Text(m, clock.GetUtcNow(), text));
    }
}
