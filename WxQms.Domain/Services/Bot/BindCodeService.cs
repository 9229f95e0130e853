using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Bot;

/// <summary>
/// A branch's binding QR code (or the subdistrict's or a community's, for the staff and committee sitting there) for office staff to print: an opaque scene string stored with the branch
/// and its expiry, turned into a temporary WeChat QR code (qrcode/create, QR_STR_SCENE) that expires at
/// the same instant. A code with enough life left is reused, so printing twice gives the same code.
/// </summary>
public sealed class BindCodeService(BotStore store, OrgStore orgs, OfficialAccountClient oa, IOptionsMonitor<BotOptions> options,
    TimeProvider clock, ILogger<BindCodeService> log)
{
    public async Task<(BindCode Code, Org Branch)> PrintAsync(long orgId, long? staffMemberId, CancellationToken ct)
    {
        var org = await orgs.GetAsync(orgId, ct) ?? throw new NotFoundException($"组织 {orgId} 不存在");
        // Party-group members bind with their branch's code; every other org's code binds its own members.
        if (org.Kind == OrgKind.PartyGroup)
            throw new RuleViolationException("bind_code.party_group", $"「{org.Name}」是党小组：请打印所在党支部的绑定二维码");

        var o = options.CurrentValue;
        var now = clock.GetUtcNow();
        if (await store.ReusableCodeAsync(orgId, now + o.BindCodeReuseMargin, ct) is { } live)
            return (live, org);

        var code = await store.AddCodeAsync(orgId, staffMemberId, now, now + o.BindCodeLifetime, ct);
        var qr = await oa.CreateTemporaryQrCodeAsync(code.Scene, o.BindCodeLifetime, ct);
        if (!qr.IsOk)
        {
            log.LogWarning("qrcode/create for branch {OrgId} failed ({ErrCode} {ErrMsg})", orgId, qr.ErrCode, qr.ErrMsg);
            throw new WechatUnavailableException("微信暂时无法生成二维码，请稍后再试");
        }
        await store.SetQrAsync(code.Id, qr.Value!.Ticket, qr.Value.Url, ct);
        log.LogInformation("Binding QR code {CodeId} made for branch {OrgId}, valid until {ExpiresAt:O}", code.Id, orgId, code.ExpiresAt);
        return (code with { Ticket = qr.Value.Ticket, QrUrl = qr.Value.Url }, org);
    }
}
