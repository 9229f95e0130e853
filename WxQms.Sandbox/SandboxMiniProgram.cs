using System.Security.Cryptography;
using static WxQms.Sandbox.SandboxHttp;

namespace WxQms.Sandbox;

/// <summary>
/// The mini program's side of WeChat: login (§5.1), phone number (§5.5) and content checks (§5.6),
/// plus the helpers that stand in for the phone: wx.login and the getPhoneNumber button.
/// </summary>
internal static class SandboxMiniProgram
{
    /// <summary>
    /// msg_sec_check's verdicts, by keyword, first match wins; everything else passes. Labels are
    /// WeChat's: 10001 advertising, 20002 pornography, 20003 abuse, 20006 crime, 20008 fraud.
    /// </summary>
    public static readonly IReadOnlyList<(string Keyword, string Suggest, int Label)> Keywords =
    [
        ("赌博", "risky", 20006),
        ("代开发票", "risky", 20006),
        ("色情", "risky", 20002),
        ("诈骗", "risky", 20008),
        ("刷单", "review", 20008),
        ("加微信", "review", 10001),
        ("傻瓜", "review", 20003),
    ];

    public const int PassLabel = 100;

    public static void MapSandboxMiniProgram(this RouteGroupBuilder wx)
    {
        wx.MapPost("/mp/jscode", IssueLoginCode);
        wx.MapGet("/sns/jscode2session", Code2Session);
        wx.MapPost("/mp/phonecode", IssuePhoneCode);
        wx.MapPost("/wxa/business/getuserphonenumber", PhoneNumber);
        wx.MapPost("/wxa/msg_sec_check", CheckText);
        wx.MapPost("/wxa/media_check_async", CheckMediaAsync);
        wx.MapPost("/mp/image-verdicts", SetImageVerdict);
    }

    public sealed record ImageVerdictRequest(string? Match, string? Suggest);

    /// <summary>Scripts the image check: images whose URL contains <c>match</c> get <c>suggest</c> (risky, review or pass).</summary>
    internal static IResult SetImageVerdict(ImageVerdictRequest body, SandboxWechat sandbox)
    {
        if (string.IsNullOrEmpty(body.Match) || body.Suggest is not ("risky" or "review" or "pass"))
            return HelperProblem(StatusCodes.Status400BadRequest, "match 不能为空，suggest 应为 risky、review 或 pass");
        sandbox.ImageVerdicts[body.Match] = body.Suggest;
        return Answer(new { match = body.Match, suggest = body.Suggest });
    }

    public sealed record OpenIdRequest(string? Openid);

    /// <summary>What wx.login gives the mini program for this user: a code for jscode2session.</summary>
    internal static Task<IResult> IssueLoginCode(OpenIdRequest body, SandboxWechat sandbox, CancellationToken ct) =>
        IssueAsync(SandboxCodeKind.Login, body, sandbox, ct);

    /// <summary>What the getPhoneNumber button gives the mini program: a code for getuserphonenumber.</summary>
    internal static Task<IResult> IssuePhoneCode(OpenIdRequest body, SandboxWechat sandbox, CancellationToken ct) =>
        IssueAsync(SandboxCodeKind.Phone, body, sandbox, ct);

    private static async Task<IResult> IssueAsync(SandboxCodeKind kind, OpenIdRequest body, SandboxWechat sandbox,
        CancellationToken ct)
    {
        var users = await sandbox.Users.GetAsync(ct);
        if (body.Openid is null || !users.ByMpOpenId.ContainsKey(body.Openid))
            return HelperProblem(StatusCodes.Status404NotFound, $"沙箱中没有小程序 openid 为 {body.Openid} 的用户");
        return Answer(new { code = sandbox.Codes.Issue(kind, SandboxApp.Mp, body.Openid) });
    }

    /// <summary>No errcode on success; a code is good once, for five minutes, for the mini program only.</summary>
    internal static async Task<IResult> Code2Session(string? appid, string? secret, string? js_code, string? grant_type,
        SandboxWechat sandbox, CancellationToken ct)
    {
        if (CheckCodeExchange(sandbox, "jscode2session", appid, secret, grant_type) is { } refused)
            return Answer(refused);
        // Codes belong to the mini program: the official account's appid finds none (40029).
        if (sandbox.Codes.Redeem(SandboxCodeKind.Login, sandbox.AppOf(appid!)!.Value, js_code) is not { } code
            || await sandbox.Users.FindAsync(code.OpenId, ct) is not { } user)
            return Answer(SandboxWechat.Fail(40029, "invalid code"));
        // A new session_key per login, as WeChat does: older encryptedData stops decrypting.
        return Answer(new
        {
            session_key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            openid = user.MpOpenId,
            unionid = user.UnionId,
        });
    }

    internal static async Task<IResult> PhoneNumber(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), "wxa/business/getuserphonenumber", SandboxApp.Mp) is { } refused)
            return Answer(refused);
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return Answer(bad);
        var claimed = body!.Root.Text("openid");
        if (sandbox.Codes.Redeem(SandboxCodeKind.Phone, SandboxApp.Mp, body.Root.Text("code")) is not { } code
            || (claimed is not null && claimed != code.OpenId)
            || await sandbox.Users.FindAsync(code.OpenId, ct) is not { } user)
            return Answer(SandboxWechat.Fail(40029, "invalid code"));
        return Answer(new
        {
            errcode = 0,
            errmsg = "ok",
            phone_info = new
            {
                phoneNumber = user.Phone,
                purePhoneNumber = user.Phone,
                countryCode = 86, // documented as a string, a number in WeChat's own sample
                watermark = new { timestamp = Unix(sandbox.Clock.GetUtcNow()), appid = sandbox.Options.Mp.AppId },
            },
        });
    }

    /// <summary>
    /// Version 2 answers errcode 0 and a verdict (pass/review/risky, label as a number); version 1
    /// answers 87014 for anything that is not a pass.
    /// </summary>
    internal static async Task<IResult> CheckText(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), "wxa/msg_sec_check", SandboxApp.Mp) is { } refused)
            return Answer(refused);
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return Answer(bad);
        var root = body!.Root;
        var content = root.Text("content");
        if (string.IsNullOrEmpty(content) || content.Length > 2500)
            return Answer(SandboxWechat.Fail(47003, "argument invalid! content"));

        var hit = Keywords.FirstOrDefault(k => content.Contains(k.Keyword, StringComparison.Ordinal));
        var (suggest, label) = hit.Keyword is null ? ("pass", PassLabel) : (hit.Suggest, hit.Label);
        if (root.Int64("version") != 2)
            return suggest == "pass" ? Ok() : Answer(SandboxWechat.Fail(87014, "risky content"));

        if (root.Int64("scene") is not (>= 1 and <= 4))
            return Answer(SandboxWechat.Fail(47003, "argument invalid! scene"));
        if (await sandbox.Users.FindAsync(root.Text("openid"), ct) is not { } user || user.MpOpenId != root.Text("openid"))
            return Answer(SandboxWechat.Fail(40003, "invalid openid"));
        var traceId = RandomId(24);
        return Answer(new
        {
            errcode = 0,
            errmsg = "ok",
            detail = new[]
            {
                new { strategy = "content_model", errcode = 0, suggest, label, prob = hit.Keyword is null ? 0 : 90, keyword = hit.Keyword },
            },
            trace_id = traceId,
            result = new { suggest, label },
        });
    }

    /// <summary>
    /// Accepts the check and queues the wxa_media_check push for the push component: a pass, unless the URL
    /// matches one of <see cref="SandboxWechat.ImageVerdicts"/> (risky: label 20002 pornography; review: 21000 other).
    /// </summary>
    internal static async Task<IResult> CheckMediaAsync(HttpRequest request, SandboxWechat sandbox, CancellationToken ct)
    {
        if (sandbox.Authorize(Token(request), "wxa/media_check_async", SandboxApp.Mp) is { } refused)
            return Answer(refused);
        var (body, bad) = await ReadJsonAsync(request, ct);
        if (bad is not null)
            return Answer(bad);
        if (string.IsNullOrEmpty(body!.Root.Text("media_url")))
            return Answer(SandboxWechat.Fail(47003, "argument invalid! media_url"));
        var traceId = RandomId(24);
        var url = body.Root.Text("media_url")!;
        var suggest = sandbox.ImageVerdicts.FirstOrDefault(v => url.Contains(v.Key, StringComparison.Ordinal)).Value ?? "pass";
        sandbox.Messages.QueuePush(new SandboxPendingPush("wxa_media_check", SandboxApp.Mp, body.Root.Text("openid") ?? "",
            sandbox.Clock.GetUtcNow(), Status: suggest, TraceId: traceId,
            Label: suggest switch { "risky" => "20002", "review" => "21000", _ => "100" }));
        return Answer(new { errcode = 0, errmsg = "ok", trace_id = traceId });
    }
}
