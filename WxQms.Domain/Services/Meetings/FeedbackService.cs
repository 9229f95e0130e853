using WxQms.Domain.Model;
using WxQms.Domain.Model.Meetings;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Meetings;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Meetings;

/// <summary>
/// Members' feedback on meetings (#18 item 5, the seed's 党员自身感受反馈 and 教育质量评价): a member who was there (checked
/// in, or marked present in the evidence) rates the meeting once, 1–5 with an optional comment. No read names her: the
/// branch sees the count, average and spread; the community's committee and the office (read scope from above the
/// branch) see the comments too.
/// </summary>
public sealed class FeedbackService(TaskQueries queries, MeetingStore store, OrgStore orgs, TimeProvider clock)
{
    public async Task RateAsync(long taskId, int rating, string? comment, TaskViewer viewer, CancellationToken ct)
    {
        if (!CheckinRules.ValidRating(rating))
            throw new RuleViolationException("request.invalid", "评分为1到5分");
        var text = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (text is { Length: > CheckinRules.MaxCommentLength })
            throw new RuleViolationException("request.invalid", $"评价最多{CheckinRules.MaxCommentLength}个字");
        var memberId = viewer.MemberId ?? throw new ForbiddenException("auth.not_bound", "请先绑定党员身份");
        var task = await queries.GetForAsync(taskId, viewer, TaskNeed.Read, ct);
        var now = clock.GetUtcNow();
        var attended = await store.CheckinAsync(task.Id, memberId, ct) is not null || await store.PresentInEvidenceAsync(task.Id, memberId, ct);
        if (!CheckinRules.MayRate(attended, task.PlannedFor, null, now))
            throw new RuleViolationException("feedback.not_attended", "只有参加了会议的党员可以在会后评价");
        var added = await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await MeetingStore.AddFeedbackAsync(conn, tx, task.Id, memberId, rating, text, now, ct))
                return false;
            // The trail says that someone rated, not what: the rating stays anonymous.
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, $"member:{memberId}", "meeting.rated", "task", task.Id, task.OrgId, memberId), ct);
            return true;
        }, ct);
        if (!added)
            throw new ConflictException("feedback.already", "您已经评价过这次会议了");
    }

    /// <summary>The aggregate of one meeting for a reader of the task, and whether this member may still rate it.</summary>
    public async Task<(FeedbackSummary Summary, bool MayRate)> SummaryAsync(long taskId, TaskViewer viewer, CancellationToken ct)
    {
        var task = await queries.GetForAsync(taskId, viewer, TaskNeed.Read, ct);
        var org = await orgs.GetAsync(task.OrgId, ct);
        var summary = (await SummariesAsync([task.Id], org is not null && SeesComments(viewer.Grants, org.Path, org.Kind), ct))[task.Id];
        var mayRate = viewer.MemberId is { } m && !await store.HasRatedAsync(task.Id, m, ct)
            && CheckinRules.MayRate(await store.CheckinAsync(task.Id, m, ct) is not null || await store.PresentInEvidenceAsync(task.Id, m, ct),
                task.PlannedFor, null, clock.GetUtcNow());
        return (summary, mayRate);
    }

    /// <summary>The aggregates of several meetings (a ranking's detail); comments only when <paramref name="withComments"/>.</summary>
    public async Task<IReadOnlyDictionary<long, FeedbackSummary>> SummariesAsync(IReadOnlyCollection<long> taskIds, bool withComments, CancellationToken ct)
    {
        var rows = await store.FeedbackAsync(taskIds, ct);
        return taskIds.Distinct().ToDictionary(id => id, id =>
        {
            if (!rows.TryGetValue(id, out var r))
                return new FeedbackSummary(id, 0, null, [0, 0, 0, 0, 0], withComments ? [] : null);
            var count = r.Counts.Sum();
            var average = Math.Round((decimal)r.Counts.Select((c, i) => c * (i + 1)).Sum() / count, 1);
            return new FeedbackSummary(id, count, average, r.Counts, withComments ? r.Comments : null);
        });
    }

    /// <summary>Comments are for those above the branch: a committee or the office (a read scope over the org from above it).</summary>
    public static bool SeesComments(IEnumerable<Grant> grants, string orgPath, OrgKind orgKind) =>
        grants.Any(g => g.OrgKind is OrgKind.Subdistrict or OrgKind.CommunityCommittee or OrgKind.GeneralBranch
            && g.Role is not Roles.Member && Access.ReadScope(g) is { } scope && orgPath.StartsWith(scope, StringComparison.Ordinal)
            && scope != orgPath);
}
