using System.Text;
using System.Text.Json;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox;

/// <summary>A parametric QR code as created; <c>POST /sandbox/wechat/users/{openid}/scan</c> scans it.</summary>
public sealed record SandboxQrCode(string Ticket, string ActionName, long? SceneId, string? SceneStr, DateTimeOffset? ExpiresAt, string Url)
{
    public bool IsPermanent => ExpiresAt is null;
}

/// <summary>The official account's custom menu (PROTOCOL §7) and its parametric QR codes (§8.3).</summary>
public sealed class SandboxMenus(TimeProvider clock)
{
    public const int DefaultQrSeconds = 60;
    public const int MaxQrSeconds = 2_592_000;

    private readonly Lock gate = new();
    private readonly Dictionary<SandboxApp, (JsonElement Buttons, long MenuId)> menus = [];
    private readonly Dictionary<string, SandboxQrCode> qrCodes = new(StringComparer.Ordinal);
    private long lastMenuId = 400_000_000;

    /// <summary>The buttons as created, or null when the app has no menu.</summary>
    public (JsonElement Buttons, long MenuId)? Menu(SandboxApp app)
    {
        lock (gate)
            return menus.TryGetValue(app, out var menu) ? menu : null;
    }

    public long SetMenu(SandboxApp app, JsonElement buttons)
    {
        lock (gate)
        {
            var id = ++lastMenuId;
            menus[app] = (buttons.Clone(), id);
            return id;
        }
    }

    public void DeleteMenu(SandboxApp app)
    {
        lock (gate)
            menus.Remove(app);
    }

    public SandboxQrCode AddQrCode(string actionName, long? sceneId, string? sceneStr, int? expireSeconds)
    {
        var expiresAt = expireSeconds is { } s ? clock.GetUtcNow().AddSeconds(s) : (DateTimeOffset?)null;
        var qr = new SandboxQrCode("gQ" + RandomId(62), actionName, sceneId, sceneStr, expiresAt,
            "http://weixin.qq.com/q/" + RandomId(22));
        lock (gate)
            qrCodes[qr.Ticket] = qr;
        return qr;
    }

    /// <summary>The QR code behind a ticket, or null when unknown or expired (a scan then does nothing).</summary>
    public SandboxQrCode? ResolveQrTicket(string ticket)
    {
        lock (gate)
        {
            return qrCodes.TryGetValue(ticket, out var qr) && (qr.ExpiresAt is null || qr.ExpiresAt > clock.GetUtcNow())
                ? qr
                : null;
        }
    }

    /// <summary>The QR code whose image encodes <paramref name="url"/> (what a phone reads), or null when unknown or expired.</summary>
    public SandboxQrCode? ResolveQrUrl(string url)
    {
        lock (gate)
        {
            return qrCodes.Values.FirstOrDefault(q => q.Url == url) is { } qr && (qr.ExpiresAt is null || qr.ExpiresAt > clock.GetUtcNow())
                ? qr
                : null;
        }
    }

    /// <summary>The codes that still work, newest first (for the phone page's 扫一扫).</summary>
    public IReadOnlyList<SandboxQrCode> LiveQrCodes()
    {
        var now = clock.GetUtcNow();
        lock (gate)
            return qrCodes.Values.Where(q => q.ExpiresAt is null || q.ExpiresAt > now).OrderByDescending(q => q.ExpiresAt).ToList();
    }

    public void Reset()
    {
        lock (gate)
        {
            menus.Clear();
            qrCodes.Clear();
        }
    }

    // ---- validation (§7.3) --------------------------------------------------------------------

    private static readonly HashSet<string> KeyTypes =
    [
        "click", "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin", "location_select",
    ];

    /// <summary>
    /// 1–3 buttons of ≤ 16 bytes, 1–5 sub-buttons of ≤ 60 bytes, keys ≤ 128 bytes, urls ≤ 1024 bytes,
    /// and the field each type needs. Errcodes are WeChat's: 40016–40020 for buttons, 40022–40027 for
    /// sub-buttons.
    /// </summary>
    public static SandboxWechat.Error? Validate(JsonElement root)
    {
        if (root.Child("button", JsonValueKind.Array) is not { } buttons || buttons.GetArrayLength() is < 1 or > 3)
            return SandboxWechat.Fail(40016, "invalid button size");
        foreach (var button in buttons.EnumerateArray())
        {
            if (Bytes(button.Text("name")) is < 1 or > 16)
                return SandboxWechat.Fail(40018, "invalid button name size");
            var subs = button.Child("sub_button", JsonValueKind.Array);
            if (subs is null || subs.Value.GetArrayLength() == 0)
            {
                if (ValidateLeaf(button, sub: false) is { } error)
                    return error;
                continue;
            }
            if (subs.Value.GetArrayLength() > 5)
                return SandboxWechat.Fail(40023, "invalid sub button size");
            foreach (var s in subs.Value.EnumerateArray())
            {
                if (s.Child("sub_button", JsonValueKind.Array) is { } deeper && deeper.GetArrayLength() > 0)
                    return SandboxWechat.Fail(40022, "invalid sub menu level");
                if (Bytes(s.Text("name")) is < 1 or > 60)
                    return SandboxWechat.Fail(40025, "invalid sub button name size");
                if (ValidateLeaf(s, sub: true) is { } error)
                    return error;
            }
        }
        return null;
    }

    private static SandboxWechat.Error? ValidateLeaf(JsonElement b, bool sub)
    {
        SandboxWechat.Error BadType() => sub ? SandboxWechat.Fail(40024, "invalid sub button type") : SandboxWechat.Fail(40017, "invalid button type");
        SandboxWechat.Error BadKey() => sub ? SandboxWechat.Fail(40026, "invalid sub button key size") : SandboxWechat.Fail(40019, "invalid button key size");
        SandboxWechat.Error BadUrl() => sub ? SandboxWechat.Fail(40027, "invalid sub button url size") : SandboxWechat.Fail(40020, "invalid button url size");

        var type = b.Text("type") ?? "";
        if (KeyTypes.Contains(type))
            return Bytes(b.Text("key")) is < 1 or > 128 ? BadKey() : null;
        return type switch
        {
            "view" => Bytes(b.Text("url")) is < 1 or > 1024 ? BadUrl() : null,
            // A mini-program button needs its page and a web page for clients too old to open it.
            "miniprogram" => Bytes(b.Text("url")) is < 1 or > 1024 ? BadUrl()
                : string.IsNullOrEmpty(b.Text("appid")) || string.IsNullOrEmpty(b.Text("pagepath")) ? BadType() : null,
            "media_id" or "view_limited" => string.IsNullOrEmpty(b.Text("media_id")) ? BadType() : null,
            "article_id" or "article_view_limited" => string.IsNullOrEmpty(b.Text("article_id")) ? BadType() : null,
            _ => BadType(),
        };
    }

    private static int Bytes(string? s) => s is null ? 0 : Encoding.UTF8.GetByteCount(s);

    /// <summary>menu/create refuses \uXXXX escapes with 40033 (PROTOCOL §0): WeChat wants real characters.</summary>
    public static bool HasUnicodeEscape(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length - 1; i++)
        {
            if (raw[i] != (byte)'\\')
                continue;
            if (raw[i + 1] == (byte)'u')
                return true;
            i++; // skip the escaped character, so \\u is a backslash followed by u
        }
        return false;
    }
}

/// <summary>
/// cgi-bin/menu/create|get|delete and cgi-bin/qrcode/create: official account only. Plus the helper
/// <c>GET /sandbox/wechat/menu</c>, the menu as a user's phone shows it, without a token.
/// </summary>
internal static class SandboxMenuEndpoints
{
    public static void MapSandboxMenus(this RouteGroupBuilder wx)
    {
        wx.MapPost("/cgi-bin/menu/create", Create);
        wx.MapGet("/cgi-bin/menu/get", Get);
        wx.MapGet("/cgi-bin/menu/delete", Delete);
        wx.MapPost("/cgi-bin/qrcode/create", CreateQrCode);
        wx.MapGet("/menu", Shown);
        wx.MapGet("/qrcodes", LiveCodes);
        wx.MapPost("/users/{openid}/scan", ScanAsync);
    }

    /// <summary>
    /// Helper: <c>{app, menuid, button}</c> with the buttons exactly as created (WeChat's names:
    /// <c>type</c>, <c>key</c>, <c>url</c>, <c>sub_button</c> …), or an empty <c>button</c> list and a
    /// null menuid while the account has no menu. Only the official account has one (<c>?app=oa</c>).
    /// </summary>
    internal static IResult Shown(string? app, SandboxWechat sandbox)
    {
        if (app is not null && !app.Equals("oa", StringComparison.OrdinalIgnoreCase))
            return HelperProblem(StatusCodes.Status400BadRequest, "只有公众号有自定义菜单：app 只能是 oa");
        return sandbox.Menus.Menu(SandboxApp.Oa) is { } menu
            ? Answer(new { app = "oa", menuid = (long?)menu.MenuId, button = (object)menu.Buttons })
            : Answer(new { app = "oa", menuid = (long?)null, button = (object)Array.Empty<object>() });
    }

    internal static async Task<IResult> Create(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), "menu/create", SandboxApp.Oa) is { } refused)
            return Answer(refused);
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return Answer(bad);
        if (SandboxMenus.HasUnicodeEscape(body!.Raw))
            return Answer(SandboxWechat.Fail(40033, "invalid charset. please check your request, if include \\uxxxx will create fail!"));
        if (SandboxMenus.Validate(body.Root) is { } invalid)
            return Answer(invalid);
        sandbox.Menus.SetMenu(SandboxApp.Oa, body.Root.GetProperty("button"));
        return Ok();
    }

    internal static IResult Get(HttpRequest request, SandboxWechat sandbox)
    {
        if (sandbox.Authorize(Token(request), "menu/get", SandboxApp.Oa) is { } refused)
            return Answer(refused);
        return sandbox.Menus.Menu(SandboxApp.Oa) is { } menu
            ? Answer(new { menu = new { button = menu.Buttons, menuid = menu.MenuId } })
            : Answer(SandboxWechat.Fail(46003, "menu no exist"));
    }

    internal static IResult Delete(HttpRequest request, SandboxWechat sandbox)
    {
        if (sandbox.Authorize(Token(request), "menu/delete", SandboxApp.Oa) is { } refused)
            return Answer(refused);
        sandbox.Menus.DeleteMenu(SandboxApp.Oa);
        return Ok();
    }

    public sealed record ScanRequest(
        [property: System.Text.Json.Serialization.JsonPropertyName("url")] string? Url,
        [property: System.Text.Json.Serialization.JsonPropertyName("ticket")] string? Ticket);

    /// <summary>Helper: the parametric codes that still work, as a phone could scan them.</summary>
    internal static IResult LiveCodes(SandboxWechat sandbox) =>
        Answer(new
        {
            qrcodes = sandbox.Menus.LiveQrCodes().Select(q => new { url = q.Url, ticket = q.Ticket, expiresAt = q.ExpiresAt }),
        });

    /// <summary>
    /// Helper: the user scans a parametric code (by the url its image encodes, or its ticket). As in WeChat
    /// (PROTOCOL §1.5), a follower's scan pushes SCAN with the bare scene, anyone else follows the account
    /// and pushes subscribe with <c>qrscene_</c> + scene; both carry the Ticket. An expired or unknown code
    /// pushes nothing: WeChat's scanner shows "二维码已过期" itself (HTTP 410 here).
    /// </summary>
    internal static async Task<IResult> ScanAsync(string openid, ScanRequest body, SandboxWechat sandbox, SandboxPush push,
        Microsoft.Extensions.Options.IOptionsMonitor<WxQms.Domain.Wechat.WechatOptions> options, CancellationToken ct)
    {
        if (await sandbox.Users.FindAsync(openid, ct) is not { } user || user.OpenId != openid)
            return HelperProblem(StatusCodes.Status404NotFound, $"沙箱中没有公众号 openid 为 {openid} 的用户");
        var qr = body.Ticket is { Length: > 0 } ticket ? sandbox.Menus.ResolveQrTicket(ticket)
            : body.Url is { Length: > 0 } url ? sandbox.Menus.ResolveQrUrl(url)
            : null;
        if (qr is null)
            return HelperProblem(StatusCodes.Status410Gone, "二维码已过期或无效：微信扫一扫显示“该二维码已过期”，不推送任何事件");
        var scene = qr.SceneStr ?? qr.SceneId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
        var message = sandbox.Users.Follows(user)
            ? new SandboxConversation.UserMessage("event", null, null, "SCAN", scene, qr.Ticket)
            : new SandboxConversation.UserMessage("event", null, null, "subscribe", "qrscene_" + scene, qr.Ticket);
        return await SandboxConversation.SendAsync(openid, message, sandbox, push, options, ct);
    }

    /// <summary>§8.3: temporary codes default to 60 s and stop at 30 days; permanent ones have no expiry.</summary>
    internal static async Task<IResult> CreateQrCode(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), "qrcode/create", SandboxApp.Oa) is { } refused)
            return Answer(refused);
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return Answer(bad);
        var root = body!.Root;
        var action = root.Text("action_name");
        var scene = root.Child("action_info", JsonValueKind.Object)?.Child("scene", JsonValueKind.Object);
        var sceneId = scene?.Int64("scene_id");
        var sceneStr = scene?.Text("scene_str");

        var valid = action switch
        {
            "QR_SCENE" => sceneId is >= int.MinValue and <= int.MaxValue and not 0,
            "QR_LIMIT_SCENE" => sceneId is >= 1 and <= 100_000,
            "QR_STR_SCENE" or "QR_LIMIT_STR_SCENE" => sceneStr is { Length: >= 1 and <= 64 },
            _ => false,
        };
        if (!valid)
            return Answer(SandboxWechat.Fail(40053, "invalid action info"));

        var permanent = action!.StartsWith("QR_LIMIT_", StringComparison.Ordinal);
        var byString = action.EndsWith("STR_SCENE", StringComparison.Ordinal);
        int? seconds = permanent ? null
            : root.Int64("expire_seconds") is > 0 and var asked ? (int)Math.Min(asked, SandboxMenus.MaxQrSeconds)
            : SandboxMenus.DefaultQrSeconds;
        var qr = sandbox.Menus.AddQrCode(action, byString ? null : sceneId, byString ? sceneStr : null, seconds);
        return permanent
            ? Answer(new { ticket = qr.Ticket, url = qr.Url })
            : Answer(new { ticket = qr.Ticket, expire_seconds = seconds, url = qr.Url });
    }
}
