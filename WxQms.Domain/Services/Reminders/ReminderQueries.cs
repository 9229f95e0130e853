using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Storage;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Services.Reminders;

/// <summary>
/// One reminder or notice as staff see it: about what (a task, or another subject such as a wish), to
/// whom (a member, or a WeChat user without a member record), and what became of it.
/// </summary>
public sealed record ReminderView(
    long Id,
    string SubjectType,
    long SubjectId,
    long? TaskId,
    string Kind,
    string KindLabel,
    long? MemberId,
    string RecipientName,
    long OrgId,
    string OrgName,
    string Status,
    string StatusLabel,
    string? Channel,
    DateTimeOffset DueAt,
    DateTimeOffset? SentAt,
    int Attempts,
    string? LastError,
    string? Delivery);

public sealed record ReminderPage(IReadOnlyList<ReminderView> Items, IReadOnlyDictionary<string, int> Counts, int Total);

public sealed record ReminderFilter(string ScopePath, ReminderStatus? Status = null, ReminderKind? Kind = null, long? TaskId = null,
    int Limit = 50, int Offset = 0);

/// <summary>Reminders of an org subtree by status, newest first, with the count of each status.</summary>
public sealed class ReminderQueries(OutboxListing outbox)
{
    public async Task<ReminderPage> ListAsync(ReminderFilter f, CancellationToken ct)
    {
        var (counts, rows) = await outbox.ListAsync(f.ScopePath, f.Status, f.Kind, f.TaskId, Math.Clamp(f.Limit, 1, 200), Math.Max(f.Offset, 0),
            ct);
        var items = rows.Select(r => new ReminderView(r.Id, r.SubjectType, r.SubjectId, r.TaskId, r.Kind, KindLabel(r.SubjectType, r.Kind),
            r.MemberId, r.RecipientName, r.OrgId, r.OrgName, r.Status, StatusLabel(DbNames.Parse<ReminderStatus>(r.Status), r.Delivery), r.Channel,
            Utc(r.DueAt), r.SentAt is { } t ? Utc(t) : null, r.Attempts, r.LastError, r.Delivery)).ToList();
        var total = f.Status is { } st ? counts.GetValueOrDefault(DbNames.Of(st)) : counts.Values.Sum();
        return new ReminderPage(items, counts, total);
    }

    /// <summary>Labels of notices other than task reminders, by kind (a subject's notices add theirs here).</summary>
    private static readonly Dictionary<string, string> NoticeLabels = new(WxQms.Domain.Services.Wishes.WishNotices.Labels, StringComparer.Ordinal)
    {
        [SmsStore.BudgetKind] = "短信预算预警",
    };

    public static string KindLabel(string subjectType, string kind) =>
        subjectType == OutboxStore.TaskSubject ? KindLabel(DbNames.Parse<ReminderKind>(kind)) : NoticeLabels.GetValueOrDefault(kind, kind);

    public static string KindLabel(ReminderKind kind) => kind switch
    {
        ReminderKind.PlanReport => "报送计划提醒",
        ReminderKind.Organiser => "会前准备提醒",
        ReminderKind.Members => "参会提醒",
        ReminderKind.Warning => "未交佐证预警",
        ReminderKind.Escalation1 => "督办（次日）",
        _ => "督办（再次）",
    };

    public static string StatusLabel(ReminderStatus status, string? delivery) => (status, delivery) switch
    {
        (ReminderStatus.Sent, "success") => "已送达",
        (ReminderStatus.Sent, { } d) when d.Contains("block", StringComparison.OrdinalIgnoreCase) => "用户拒收",
        (ReminderStatus.Sent, { } d) when d.StartsWith("failed", StringComparison.OrdinalIgnoreCase) => "送达失败",
        (ReminderStatus.Sent, _) => "已发送",
        (ReminderStatus.Pending, _) => "待发送",
        (ReminderStatus.Sending, _) => "发送中",
        (ReminderStatus.Failed, _) => "发送失败",
        (ReminderStatus.Unreachable, _) => "无法触达",
        _ => "已取消",
    };
}
