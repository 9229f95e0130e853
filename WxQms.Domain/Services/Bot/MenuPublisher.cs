using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Bot;

/// <summary>
/// Builds the official-account menu from <c>Bot:Menu</c> and pushes it with menu/create (run by
/// <c>WxQms.Jobs menus</c>). A VIEW url <c>oauth:/path</c> becomes the snsapi_base authorize URL of our page
/// at <c>Bot:PublicBase</c>, so the page knows who opened it.
/// </summary>
public sealed class MenuPublisher(OfficialAccountClient oa, IOptions<BotOptions> options, ILogger<MenuPublisher> log)
{
    public const string OAuthPrefix = "oauth:";

    public IReadOnlyList<MenuButton> Build()
    {
        var o = options.Value;
        if (o.Menu.Count == 0)
            throw new InvalidOperationException("Bot:Menu is empty: configure the official-account menu first");
        return o.Menu.Select(b => Button(b, o)).ToList();
    }

    public async Task<WechatResult<WechatOk>> PublishAsync(CancellationToken ct)
    {
        var buttons = Build();
        var result = await oa.CreateMenuAsync(buttons, ct);
        if (result.IsOk)
            log.LogInformation("Official-account menu published: {Buttons}", string.Join(" | ", buttons.Select(b => b.Name)));
        else
            log.LogError("menu/create refused the menu: {ErrCode} {ErrMsg}", result.ErrCode, result.ErrMsg);
        return result;
    }

    private MenuButton Button(MenuItemOptions b, BotOptions o)
    {
        if (b.Sub.Count > 0)
            return new MenuButton(b.Name, SubButtons: b.Sub.Select(s => Button(s, o)).ToList());
        var type = (b.Type ?? "").ToLowerInvariant();
        return type switch
        {
            "click" => new MenuButton(b.Name, "click", Key: b.Key ?? throw new InvalidOperationException($"Menu button {b.Name}: click needs a Key")),
            "view" => new MenuButton(b.Name, "view", Url: ViewUrl(b, o)),
            _ => throw new InvalidOperationException($"Menu button {b.Name}: type '{b.Type}' is not click or view"),
        };
    }

    private string ViewUrl(MenuItemOptions b, BotOptions o)
    {
        var url = b.Url ?? throw new InvalidOperationException($"Menu button {b.Name}: view needs a Url");
        if (!url.StartsWith(OAuthPrefix, StringComparison.Ordinal))
            return url;
        if (o.PublicBase is not { Length: > 0 } root)
            throw new InvalidOperationException($"Menu button {b.Name}: Bot:PublicBase is needed for {url}");
        return oa.AuthorizeUrl(root.TrimEnd('/') + url[OAuthPrefix.Length..], "menu");
    }
}
