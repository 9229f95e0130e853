using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Bot;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Services.Bot;

/// <summary>
/// Photos from the chat (issue #7). While WeChat waits, a photo only joins the sender's burst; after
/// the acknowledgement the <c>chat-photos</c> worker settles each quiet burst: the photos are checked and
/// hashed like uploads, then attached to the task in hand as evidence photos (source: chat), or the
/// sender gets a numbered list to choose from. The outcome goes back as a customer-service message.
/// </summary>
public sealed class ChatPhotoService(
    ChatPhotoStore sets,
    BotStore bot,
    WechatLinkStore links,
    TaskQueries tasks,
    TaskStore taskRows,
    IFileStore files,
    PhotoIntake intake,
    OfficialAccountClient oa,
    BotLinks botLinks,
    IOptionsMonitor<BotOptions> options,
    TimeProvider clock,
    ILogger<ChatPhotoService> log)
{
    /// <summary>A checked photo waiting in a set, kept in the set's options while the sender chooses.</summary>
    public sealed record CheckedPhoto(string Sha256, long Size, string ContentType, string RelativePath, DateTimeOffset? TakenAt,
        DateTimeOffset ReceivedAt);

    private sealed record Pending(IReadOnlyList<long> TaskIds, IReadOnlyList<CheckedPhoto> Photos);

    private sealed record ChoiceData(long SetId);

    /// <summary>Before the acknowledgement: who may send photos, and which burst this one joins.</summary>
    public async Task<string?> ReceiveAsync(string appId, string openId, long inboundId, DateTimeOffset now, CancellationToken ct)
    {
        if (await bot.OaUserAsync(appId, openId, ct) is not { MemberId: { } memberId })
            return BotReplies.PhotoBeforeBinding;
        var profile = await links.ProfileAsync(memberId, ct);
        if (profile is null || !profile.Roles.Any(IsOrganiser))
            return BotReplies.PhotoNotOrganiser;
        var (_, opened) = await sets.JoinAsync(appId, openId, memberId, inboundId, now, options.CurrentValue.PhotoBurstQuiet, ct);
        // One answer per burst: the other photos of it are acknowledged with "success".
        return opened ? BotReplies.PhotoReceived : null;
    }

    private static bool IsOrganiser(Grant g) => g.Role is Roles.Secretary or Roles.Worker;

    /// <summary>After the acknowledgement: settles quiet bursts, each once.</summary>
    public async Task<int> SettleDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var o = options.CurrentValue;
        var claimed = await sets.ClaimSettledAsync(now, o.PhotoBurstQuiet, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2), 10, ct);
        foreach (var set in claimed)
        {
            try
            {
                if (await SettleAsync(set, ct) is { } message)
                    await SendAsync(set.OpenId, message, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The lease runs out and another tick tries again.
                log.LogError(ex, "Settling chat photo set {SetId} failed", set.Id);
            }
        }
        return claimed.Count;
    }

    private async Task<string?> SettleAsync(ChatPhotoSet set, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var photos = await CheckAsync(set, ct);
        if (photos.Count == 0)
            return await sets.SettleAsync(set.Id, ChatPhotoSetStatus.Collecting, ChatPhotoSetStatus.Dropped, null, now, ct)
                ? BotReplies.NoUsablePhoto : null;

        var profile = await links.ProfileAsync(set.MemberId, ct);
        var candidates = profile is null ? [] : await CandidatesAsync(profile, now, ct);
        var decision = TaskInHand.Decide(candidates, now, options.CurrentValue.TaskInHandWindow);
        switch (decision.Kind)
        {
            case TaskInHandKind.Attach:
                return await AttachAsync(set, ChatPhotoSetStatus.Collecting, decision.TaskId!.Value, photos, now, ct);
            case TaskInHandKind.Ask:
                var pending = JsonSerializer.Serialize(new Pending(decision.Options.Select(c => c.TaskId).ToList(), photos), JsonDefaults.Storage);
                if (!await sets.SettleAsync(set.Id, ChatPhotoSetStatus.Collecting, ChatPhotoSetStatus.Choosing, pending, now, ct))
                    return null;
                await bot.StartDialogueAsync(set.AppId, set.OpenId, DialogueSteps.ChooseTask,
                    JsonSerializer.Serialize(new ChoiceData(set.Id), JsonDefaults.Storage), now, now + options.CurrentValue.ChoiceLifetime, ct);
                return BotReplies.AskChoice(photos.Count, decision.Options.Select((c, i) => $"{i + 1}. {Describe(c)}"));
            default:
                return await sets.SettleAsync(set.Id, ChatPhotoSetStatus.Collecting, ChatPhotoSetStatus.NoTask, null, now, ct)
                    ? BotReplies.NoPhotoTask : null;
        }
    }

    /// <summary>A number typed while the bot waits for a choice: attaches the burst, answers passively.</summary>
    public async Task<string> ChooseAsync(string appId, string openId, Dialogue dialogue, int number, DateTimeOffset now, CancellationToken ct)
    {
        var setId = JsonSerializer.Deserialize<ChoiceData>(dialogue.Data, JsonDefaults.Storage)!.SetId;
        if (await sets.GetAsync(setId, ct) is not { Status: ChatPhotoSetStatus.Choosing, Options: { } json } set)
        {
            await bot.EndDialogueAsync(appId, openId, ct);
            return BotReplies.ChoiceExpired;
        }
        var pending = JsonSerializer.Deserialize<Pending>(json, JsonDefaults.Storage)!;
        if (number < 1 || number > pending.TaskIds.Count)
            return BotReplies.ChooseBetween(pending.TaskIds.Count);
        await bot.EndDialogueAsync(appId, openId, ct);
        return await AttachAsync(set, ChatPhotoSetStatus.Choosing, pending.TaskIds[number - 1], pending.Photos, now, ct)
            ?? BotReplies.ChoiceExpired;
    }

    /// <summary>How many tasks the open choice lists.</summary>
    public async Task<int> OptionCountAsync(Dialogue dialogue, CancellationToken ct)
    {
        var setId = JsonSerializer.Deserialize<ChoiceData>(dialogue.Data, JsonDefaults.Storage)!.SetId;
        return await sets.GetAsync(setId, ct) is { Options: { } json }
            ? JsonSerializer.Deserialize<Pending>(json, JsonDefaults.Storage)!.TaskIds.Count
            : 1;
    }

    /// <summary>「取消」 while choosing: the burst stays stored but goes to no task.</summary>
    public async Task CancelChoiceAsync(Dialogue dialogue, DateTimeOffset now, CancellationToken ct)
    {
        var setId = JsonSerializer.Deserialize<ChoiceData>(dialogue.Data, JsonDefaults.Storage)!.SetId;
        await sets.SettleAsync(setId, ChatPhotoSetStatus.Choosing, ChatPhotoSetStatus.Dropped, null, now, ct);
    }

    /// <summary>Downloaded photos of the set that pass the upload checks (type by content and header, complete, size, dimensions), once each.</summary>
    private async Task<IReadOnlyList<CheckedPhoto>> CheckAsync(ChatPhotoSet set, CancellationToken ct)
    {
        var result = new List<CheckedPhoto>();
        foreach (var f in await sets.FilesAsync(set.Id, ct))
        {
            if (f.Size > PhotoIntake.MaxBytes || result.Any(p => p.Sha256 == f.Sha256))
                continue;
            var bytes = await files.ReadVerifiedAsync(new StoredFile(f.Sha256, f.Size, f.RelativePath), ct);
            if (bytes is null || await intake.InspectAsync(bytes, ct) is not ({ } type, var takenAt))
            {
                log.LogInformation("Chat photo of inbound {InboundId} refused: not a complete JPEG, PNG or WebP of sane dimensions", f.InboundId);
                continue;
            }
            result.Add(new CheckedPhoto(f.Sha256, f.Size, type, f.RelativePath, takenAt,
                new DateTimeOffset(DateTime.SpecifyKind(f.ReceivedAt, DateTimeKind.Utc))));
        }
        return result;
    }

    /// <summary>
    /// Overdue tasks older than this are not offered for chat photos: a burst sent today is of a recent
    /// meeting, and a list of last spring's missed duties would only bury the right one.
    /// </summary>
    public static readonly TimeSpan OverdueLookback = TimeSpan.FromDays(35);

    /// <summary>Open tasks that take photos in the subtrees the member organises, with when she last acted on each.</summary>
    private async Task<IReadOnlyList<PhotoTaskCandidate>> CandidatesAsync(MemberProfile profile, DateTimeOffset now, CancellationToken ct)
    {
        var scopes = profile.Roles.Where(IsOrganiser).Select(Access.ActScope).OfType<string>().Distinct().ToList();
        var rows = new Dictionary<long, (long Id, string? GroupName, DateTime? LastActedAt)>();
        foreach (var scope in scopes)
        {
            foreach (var r in await taskRows.RecentWorkOfAsync(scope, profile.Id, now, now - OverdueLookback, ct))
                rows.TryAdd(r.Id, r);
        }
        var result = new List<PhotoTaskCandidate>();
        foreach (var r in rows.Values)
        {
            if (await tasks.GetAsync(r.Id, ct) is not { } t || t.Template.EvidenceRule.MinPhotos == 0)
                continue;
            // A party group's meeting is named by its group: a branch has one such task per group.
            result.Add(new PhotoTaskCandidate(t.Id, t.Template.Name, t.PeriodKey, r.GroupName ?? await bot.OrgNameAsync(t.OrgId, ct) ?? "", t.DueAt,
                t.PlannedFor, t.State == Model.Tasks.TaskState.Overdue,
                r.LastActedAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null));
        }
        return result;
    }

    /// <summary>
    /// Stores the photos against the task (once per photo and task), closes the set and leaves an audit
    /// entry on the task, so it becomes the task this member last acted on. Null when the set had
    /// already been settled by someone else.
    /// </summary>
    private async Task<string?> AttachAsync(ChatPhotoSet set, string fromStatus, long taskId, IReadOnlyList<CheckedPhoto> photos,
        DateTimeOffset now, CancellationToken ct)
    {
        var task = await tasks.GetAsync(taskId, ct);
        if (task is null || !TaskTransitions.Can(task.State, Model.Tasks.TaskAction.Submit))
        {
            await sets.SettleAsync(set.Id, fromStatus, ChatPhotoSetStatus.NoTask, null, now, ct);
            return "该任务已提交或已关闭，照片未归入。请在小程序中查看任务。";
        }

        var attached = await sets.AttachAsync(set, fromStatus, taskId, task.OrgId,
            photos.Select(p => new AttachedPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath, p.TakenAt, p.ReceivedAt)).ToList(), now, ct);
        if (attached is not var (total, group))
            return null;
        log.LogInformation("Chat photo set {SetId} ({Count} photos) attached to task {TaskId}", set.Id, photos.Count, taskId);

        var rule = task.Template.EvidenceRule;
        var missing = new List<string>();
        if (rule.PlaceRequired)
            missing.Add("地点");
        if (rule.TopicRequired)
            missing.Add("主题");
        if (rule.AttendanceRequired)
            missing.Add("考勤（参会人员）");
        if (rule.MinutesRequired)
            missing.Add(rule.RecordLabel);
        if (total < rule.MinPhotos)
            missing.Add($"照片（还差{rule.MinPhotos - total}张）");
        var org = await bot.OrgNameAsync(task.OrgId, ct) + (group is null ? "" : $"·{group}");
        return $"已将{photos.Count}张照片归入「{org}」的「{task.Template.Name}（{task.PeriodKey}）」，该任务现有聊天照片{total}张。\n"
            + (missing.Count > 0 ? $"还需补充：{string.Join("、", missing)}。\n" : "")
            + botLinks.MiniProgram($"pages/evidence/index?id={taskId}", "点此在小程序中完成提交");
    }

    private static string Describe(PhotoTaskCandidate c)
    {
        var when = c.Overdue ? "已逾期"
            : c.PlannedFor is { } p ? $"计划{Periods.LocalDate(p):M月d日}"
            : $"{Periods.LocalDate(c.DueAt.AddTicks(-1)):M月d日}截止";
        return $"{c.Name}（{c.PeriodKey}，{c.OrgName}，{when}）";
    }

    private async Task SendAsync(string openId, string text, CancellationToken ct)
    {
        var sent = await oa.SendTextAsync(openId, text, ct);
        if (!sent.IsOk)
            log.LogWarning("Customer-service message about chat photos not sent ({ErrCode} {ErrMsg})", sent.ErrCode, sent.ErrMsg);
    }
}
