using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// WeChat's content checks of what people post: a wish's or a fulfilment's words through msg_sec_check v2 (the
/// answer comes at once), their photos through media_check_async (the verdict comes later, to
/// <see cref="WishMediaVerdicts"/>). Both need the poster's mini-program openid.
/// </summary>
public sealed class WishContentChecks(MiniProgramClient mp, WishStore store, WishPhotoLinks links, WishMediaVerdicts verdicts,
    IOptions<WechatOptions> wechat, ILogger<WishContentChecks> log)
{
    /// <summary>msg_sec_check scene 3: forum posts (what a public wish is).</summary>
    private const int CheckScene = 3;

    /// <summary>The mini-program openid of the person (their own, or by unionid): msg_sec_check and media_check_async need one.</summary>
    public Task<string?> MpOpenIdAsync(long wechatUserId, CancellationToken ct) =>
        store.MpOpenIdAsync(wechatUserId, wechat.Value.Mp.AppId, ct);

    /// <summary>msg_sec_check v2: pass / review / risky, or unchecked when it could not be asked (staff look then).</summary>
    public async Task<(string Verdict, string? Label)> CheckTextAsync(string? openId, string content, CancellationToken ct)
    {
        if (openId is null)
            return ("unchecked", null);
        try
        {
            var check = await mp.CheckTextAsync(openId, content, CheckScene, ct);
            if (!check.IsOk || check.Value?.Result is not { } result)
            {
                log.LogWarning("msg_sec_check failed: {ErrCode} {ErrMsg}; the wish goes to staff unchecked", check.ErrCode, check.ErrMsg);
                return ("unchecked", null);
            }
            return (WishRules.TextVerdict(result.Suggest), result.Label.ValueKind switch
            {
                System.Text.Json.JsonValueKind.Number => result.Label.GetRawText(),
                System.Text.Json.JsonValueKind.String => result.Label.GetString(),
                _ => null,
            });
        }
        catch (HttpRequestException ex)
        {
            log.LogWarning(ex, "msg_sec_check unreachable; the wish goes to staff unchecked");
            return ("unchecked", null);
        }
    }

    /// <summary>
    /// Starts media_check_async for each photo of the stage not yet sent (under its own poster's openid), stores its
    /// trace_id, and applies a verdict that already came.
    /// </summary>
    public async Task StartImageChecksAsync(long wishId, WishPhotoStage stage, string? openId, CancellationToken ct)
    {
        if (openId is null)
            return;
        foreach (var (photoId, sha) in await store.UncheckedPhotosAsync(wishId, stage, ct))
        {
            try
            {
                var started = await mp.CheckImageAsync(openId, links.PhotoUrl(wishId, sha, absolute: true), CheckScene, ct);
                if (!started.IsOk || started.Value is null)
                {
                    log.LogWarning("media_check_async refused for wish {WishId}: {ErrCode} {ErrMsg}", wishId, started.ErrCode, started.ErrMsg);
                    continue;
                }
                await store.SetTraceAsync(photoId, started.Value.TraceId, ct);
                await verdicts.ApplyKnownAsync(started.Value.TraceId, ct);
            }
            catch (HttpRequestException ex)
            {
                log.LogWarning(ex, "media_check_async unreachable for wish {WishId}; staff check the photo themselves", wishId);
            }
        }
    }
}
