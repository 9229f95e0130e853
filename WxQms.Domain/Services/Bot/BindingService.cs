using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Bot;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Bot;

/// <summary>
/// Binding an official-account follower to a member through the branch QR code (issue #7): the scan
/// starts a dialogue, the answer (name and the last four phone digits) is matched within that branch
/// only, and the link is written with an audit entry. Wrong answers are limited per user over the dialogue's
/// lifetime (MySQL, so a new scan starts no fresh count), per user per hour (Redis; with Redis down nothing
/// is checked), and per code and per named member per day (MySQL). Every method answers with the text the user sees.
/// </summary>
public sealed class BindingService(
    BotStore store,
    WechatLinkStore links,
    OrgStore orgs,
    AttemptLimiter attempts,
    TokenVersions tokenVersions,
    OfficialAccountClient oa,
    IOptionsMonitor<BotOptions> options,
    ILogger<BindingService> log)
{
    private static readonly TimeSpan FailureWindow = TimeSpan.FromHours(1);

    /// <summary>The window of the per-code and per-member limits.</summary>
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>How long the unionid lookup may take inside the callback (real time: WeChat's deadline is real).</summary>
    private static readonly TimeSpan UserInfoBudget = TimeSpan.FromSeconds(1.5);

    /// <summary><paramref name="Subtree"/>: the code is a branch's, so its party groups' members bind with it too.</summary>
    private sealed record BindData(long CodeId, long OrgId, bool Subtree);

    /// <summary>A scan of a parametric code (subscribe with qrscene_, or SCAN).</summary>
    public async Task<string> ScanAsync(string appId, string openId, string scene, DateTimeOffset now, CancellationToken ct)
    {
        var code = await store.CodeBySceneAsync(scene, ct);
        if (code is null || code.ExpiresAt <= now)
            return BotReplies.CodeExpired;
        if (await BoundMemberAsync(appId, openId, ct) is { } bound)
            return BotReplies.AlreadyBound(bound.Name, bound.OrgName);
        if (await RefusalAsync(appId, openId, code.Id, [], now, ct) is { } refusal)
            return refusal;

        var org = await orgs.GetAsync(code.OrgId, ct);
        var branch = org?.Name ?? "党支部";
        var lifetime = options.CurrentValue.BindDialogueLifetime;
        var expires = now + lifetime < code.ExpiresAt ? now + lifetime : code.ExpiresAt;
        await store.StartDialogueAsync(appId, openId, DialogueSteps.BindAnswer,
            JsonSerializer.Serialize(new BindData(code.Id, code.OrgId, org?.Kind == OrgKind.Branch), JsonDefaults.Storage), now, expires, ct);
        return BotReplies.BindStart(branch);
    }

    /// <summary>The user's answer while a binding dialogue is open.</summary>
    public async Task<string> AnswerAsync(string appId, string openId, Dialogue dialogue, string text, DateTimeOffset now,
        CancellationToken ct)
    {
        var o = options.CurrentValue;
        var data = JsonSerializer.Deserialize<BindData>(dialogue.Data, JsonDefaults.Storage)!;
        if (await RefusalAsync(appId, openId, data.CodeId, [], now, ct) is { } refusal)
        {
            if (refusal != BotReplies.BindUnavailable)
                await store.EndDialogueAsync(appId, openId, ct);
            return refusal;
        }
        if (BotText.ParseBindAnswer(text) is not { } answer)
            return BotReplies.AskAgainShape;

        var named = await store.MatchMembersAsync(data.OrgId, data.Subtree, answer.Name, answer.PhoneTail, ct);
        var namedIds = named.Select(m => m.MemberId).ToList();
        if (await RefusalAsync(appId, openId, data.CodeId, namedIds, now, ct) is { } locked)
        {
            await store.EndDialogueAsync(appId, openId, ct);
            return locked;
        }
        var matches = named.Where(m => m.PhoneMatches).ToList();
        if (matches.Count != 1)
        {
            // Two members with the same name and phone tail cannot be told apart here: treat as no match.
            await store.RecordFailureAsync(appId, openId, data.CodeId, namedIds.Count > 0 ? namedIds.Min() : (long?)null, now, ct);
            var counts = await store.FailureCountsAsync(appId, openId, data.CodeId, [], now - o.BindDialogueLifetime, now, ct);
            var inHour = await attempts.FailAsync(appId, openId, FailureWindow) ?? o.BindAttemptsPerHour;
            log.LogInformation("Binding answer did not match ({Matches} candidates; attempt {Attempt})", matches.Count, counts.User);
            var left = Math.Min(o.BindAttemptsPerDialogue - counts.User, o.BindAttemptsPerHour - inHour);
            if (left <= 0)
            {
                await store.EndDialogueAsync(appId, openId, ct);
                return BotReplies.TooManyAttempts;
            }
            return BotReplies.Mismatch((int)left);
        }

        var member = matches[0];
        var result = await LinkAsync(appId, openId, member, now, ct);
        await store.EndDialogueAsync(appId, openId, ct);
        if (result is not null)
            return result;
        await attempts.ClearAsync(appId, openId);
        return BotReplies.Bound(member.Name, await store.OrgNameAsync(data.OrgId, ct) ?? "");
    }

    /// <summary>
    /// Why this user may not try (again) now, or null. Fails closed: when Redis cannot say how many wrong
    /// answers the user gave this hour, nothing is checked. The dialogue's limit counts the user's wrong
    /// answers in MySQL over the dialogue's lifetime (a new scan does not reset it), and a code or a named
    /// member with too many wrong answers from anyone in the last day is locked.
    /// </summary>
    private async Task<string?> RefusalAsync(string appId, string openId, long codeId, IReadOnlyList<long> namedIds,
        DateTimeOffset now, CancellationToken ct)
    {
        var o = options.CurrentValue;
        var inHour = await attempts.CountAsync(appId, openId);
        if (inHour is null)
            return BotReplies.BindUnavailable;
        if (inHour >= o.BindAttemptsPerHour)
            return BotReplies.TooManyAttempts;
        var counts = await store.FailureCountsAsync(appId, openId, codeId, namedIds, now - o.BindDialogueLifetime, now - Day, ct);
        if (counts.Code >= o.BindAttemptsPerCodePerDay || counts.Member >= o.BindAttemptsPerMemberPerDay)
        {
            log.LogWarning("Binding locked: code {CodeId} has {CodeFailures} wrong answers today, a named member {MemberFailures}",
                codeId, counts.Code, counts.Member);
            return BotReplies.BindLocked;
        }
        return counts.User >= o.BindAttemptsPerDialogue ? BotReplies.TooManyAttempts : null;
    }

    /// <summary>
    /// 「解绑」: removes the links of every WeChat identity of this person (the mini program's too) and makes the
    /// tokens issued to them stale, so the mini program and the pages stop acting as the member at once.
    /// </summary>
    public async Task<string> UnbindAsync(string appId, string openId, DateTimeOffset now, CancellationToken ct)
    {
        if (await store.OaUserAsync(appId, openId, ct) is not { MemberId: { } memberId } user)
            return BotReplies.NotBound;
        var profile = await links.ProfileAsync(memberId, ct);
        var unlinked = await links.UnbindAllAsync(memberId, now, ids => new AuditEntry(now, $"wechat_user:{user.Id}",
            "wechat_user.unbound", "wechat_user", user.Id, profile?.OrgId, ActorMemberId: memberId,
            Data: new { MemberId = memberId, AppId = appId, Via = "oa_chat", Unlinked = ids }), ct);
        await tokenVersions.PublishAsync(memberId, ct);
        log.LogInformation("WeChat user {WechatUserId} unbound from member {MemberId} with {Count} identities", user.Id, memberId, unlinked.Count);
        return BotReplies.Unbound(profile?.Name ?? "您");
    }

    /// <summary>「绑定」 typed: who the user is bound as, or how to bind.</summary>
    public async Task<string> DescribeAsync(string appId, string openId, CancellationToken ct) =>
        await BoundMemberAsync(appId, openId, ct) is { } bound ? BotReplies.AlreadyBound(bound.Name, bound.OrgName) : BotReplies.NotBound;

    private async Task<(string Name, string OrgName)?> BoundMemberAsync(string appId, string openId, CancellationToken ct)
    {
        if (await store.OaUserAsync(appId, openId, ct) is not { MemberId: { } memberId })
            return null;
        var profile = await links.ProfileAsync(memberId, ct);
        if (profile is null)
            return null;
        // A party group's member is named with the branch the group belongs to, as the binding code did.
        var org = await orgs.GetAsync(profile.OrgId, ct);
        if (org is { Kind: OrgKind.PartyGroup, ParentId: { } parent })
            org = await orgs.GetAsync(parent, ct) ?? org;
        return (profile.Name, org?.Name ?? "");
    }

    /// <summary>Writes the link (and the mini-program identity with the same unionid); null when done, else the refusal.</summary>
    private async Task<string?> LinkAsync(string appId, string openId, BindCandidate member, DateTimeOffset now, CancellationToken ct)
    {
        // The unionid ties this follower to the same person's mini-program identity (PROTOCOL §8.2). This runs
        // inside WeChat's 5-second callback window, so the lookup gets a short budget of its own and any failure
        // (unreachable, no token, an errcode) binds without it rather than failing the whole reply.
        string? unionId = null;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(UserInfoBudget);
        try
        {
            var info = await oa.GetUserAsync(openId, budget.Token);
            if (info.IsOk)
                unionId = info.Value!.UnionId;
            else
                log.LogWarning("user/info for a binding failed ({ErrCode}); binding without unionid", info.ErrCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or WechatApiException
                                   && !ct.IsCancellationRequested)
        {
            log.LogWarning("user/info for a binding failed ({Error}); binding without unionid", ex.GetType().Name);
        }

        var user = await links.UpsertAsync(appId, openId, unionId, now, ct);
        if (await store.OtherOaLinkAsync(appId, member.MemberId, user.Id, ct) is not null)
            return BotReplies.BoundElsewhere;

        if (!await links.BindFollowerAsync(user.Id, member.MemberId, unionId, new AuditEntry(now, $"wechat_user:{user.Id}",
                "wechat_user.bound", "wechat_user", user.Id, member.OrgId, ActorMemberId: member.MemberId,
                Data: new { member.MemberId, AppId = appId, Via = "oa_qrcode" }), ct))
            return BotReplies.BoundElsewhere;
        log.LogInformation("WeChat user {WechatUserId} bound to member {MemberId} through a branch QR code", user.Id, member.MemberId);
        return null;
    }
}
