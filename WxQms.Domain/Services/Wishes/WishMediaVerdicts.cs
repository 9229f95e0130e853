using WxQms.Domain.Model;
using WxQms.Domain.Model.Wishes;
using WxQms.Domain.Rules.Wishes;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Callbacks;

namespace WxQms.Domain.Services.Wishes;

/// <summary>
/// The image check's verdicts on wish photos (wxa_media_check pushes, or one already in when the check was started).
/// A risky photo of a wish still under review refuses the wish (the wisher is told why); a risky proof photo is only
/// hidden (the public sees passed photos only).
/// </summary>
public sealed class WishMediaVerdicts(WishStore store, MediaCheckStore checks, WishTransitions transitions, TimeProvider clock)
    : IMediaCheckListener
{
    /// <summary>Applies the verdict on a trace_id if it came already (it may arrive before the trace_id is stored).</summary>
    public async Task ApplyKnownAsync(string traceId, CancellationToken ct)
    {
        if (await checks.GetAsync(traceId, ct) is { } v)
            await OnVerdictAsync(traceId, v.Suggest, v.Label, ct);
    }

    public async Task OnVerdictAsync(string traceId, string suggest, string? label, CancellationToken ct)
    {
        var photo = await store.PhotoByTraceAsync(traceId, ct);
        if (photo is not { } p || suggest != "risky")
            return;
        var now = clock.GetUtcNow();
        var reason = $"图片未通过内容安全检测（疑似{WishRules.LabelReason(label)}）";
        if (p.Stage == WishPhotoStage.Wish)
        {
            var current = await store.GetAsync(p.WishId, ct);
            if (current is not { Wish.Status: WishStatus.Reviewing } c)
                return;
            try
            {
                await transitions.RefuseForPhotoAsync(p.WishId, c.Wish.Version, reason, traceId, label, now, ct);
            }
            catch (ConflictException)
            {
                // Changed meanwhile (a moderator refused it first): nothing more to do.
            }
        }
        else
        {
            await store.AuditAsync(new AuditEntry(now, "system:media_check", "wish.photo_hidden", WishNotices.Subject, p.WishId, null,
                null, new { TraceId = traceId, Label = label }), ct);
        }
    }
}
