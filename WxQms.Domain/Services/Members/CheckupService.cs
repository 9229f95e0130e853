using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Members;

/// <summary>A member's check-up as she or her secretary reads it.</summary>
public sealed record CheckupView(int Year, long MemberId, string MemberName, IReadOnlyList<CheckupItem> Items,
    IReadOnlyDictionary<long, int>? Self, DateTimeOffset? SelfAt, IReadOnlyDictionary<long, int>? Branch, DateTimeOffset? BranchAt,
    decimal? Score, CheckupGrade? Grade, IReadOnlyList<CheckupItem> ToImprove, bool MayAssessAsBranch);

/// <summary>Where a member of the branch stands with the year's check-up.</summary>
public sealed record CheckupStatus(long MemberId, string Name, bool SelfDone, bool BranchDone, decimal? Score, CheckupGrade? Grade);

/// <summary>A topic of a 组织生活会 taken from the branch's check-ups: an item and how many members should improve on it.</summary>
public sealed record CheckupTopic(string Section, string Text, int Members);

/// <summary>
/// The yearly 党性体检 (issue #18 item 3): the office keeps the questionnaire (items in sections, with weights) per year,
/// while nobody has answered it; a member rates herself in the current year; her branch secretary gives the branch's
/// rating; once both are in the result (score, grade, items to improve) is stored. Only the member and her branch
/// secretary read a check-up (<see cref="Checkups.CanRead"/>); a branch's results reach its 组织生活会 only as topics
/// (how many members should improve on an item), never by name.
/// </summary>
public sealed class CheckupService(CheckupStore store, MemberStore members, OrgStore orgs, TaskStore tasks, TimeProvider clock)
{
    public const int TopicLimit = 5;

    public int CurrentYear() => Periods.LocalDate(clock.GetUtcNow()).Year;

    public Task<IReadOnlyList<CheckupItem>> ItemsAsync(int year, CancellationToken ct) => store.ItemsAsync(year, ct);

    public async Task<CheckupView> GetAsync(MemberEditor viewer, long memberId, int year, CancellationToken ct)
    {
        var (member, org) = await MemberAsync(memberId, ct);
        if (!Checkups.CanRead(viewer.MemberId, viewer.Grants, memberId, org.Path))
            throw new ForbiddenException("auth.forbidden", "党性体检结果仅本人和所在支部书记可以查看");
        var items = await store.ItemsAsync(year, ct);
        var record = await store.GetAsync(memberId, year, ct);
        var improve = record?.Improve.Select(id => items.FirstOrDefault(i => i.Id == id)).OfType<CheckupItem>().ToList() ?? [];
        return new CheckupView(year, memberId, member.Name, items, record?.Self, record?.SelfAt, record?.Branch, record?.BranchAt,
            record?.Score, record?.Grade, improve, Checkups.IsSecretaryOf(viewer.Grants, org.Path));
    }

    /// <summary>The member's own ratings (this year only).</summary>
    public Task<CheckupView> AssessSelfAsync(MemberEditor viewer, int year, IReadOnlyDictionary<long, int> ratings, CancellationToken ct) =>
        viewer.MemberId is { } me
            ? SaveAsync(viewer, me, year, ratings, self: true, ct)
            : throw new ForbiddenException("auth.not_bound", "请先绑定党员身份");

    /// <summary>The branch's ratings, given by the member's branch secretary (this year only).</summary>
    public async Task<CheckupView> AssessForBranchAsync(MemberEditor viewer, long memberId, int year, IReadOnlyDictionary<long, int> ratings,
        CancellationToken ct)
    {
        var (_, org) = await MemberAsync(memberId, ct);
        if (!Checkups.IsSecretaryOf(viewer.Grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "支部评价由党员所在支部的书记填写");
        return await SaveAsync(viewer, memberId, year, ratings, self: false, ct);
    }

    private async Task<CheckupView> SaveAsync(MemberEditor viewer, long memberId, int year, IReadOnlyDictionary<long, int> ratings, bool self,
        CancellationToken ct)
    {
        if (year != CurrentYear())
            throw new RuleViolationException("checkup.closed_year", $"只能填写本年度（{CurrentYear()}年）的党性体检");
        var (member, _) = await MemberAsync(memberId, ct);
        if (member.Status is not (MemberStatus.Full or MemberStatus.Probationary))
            throw new RuleViolationException("checkup.not_on_roll", "该党员已不在册");
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            var items = await CheckupStore.ItemsAsync(conn, tx, year, ct);
            if (Checkups.CheckRatings(items, ratings) is { } refusal)
                throw new RuleViolationException("checkup.invalid", refusal);
            var before = await CheckupStore.LockAsync(conn, tx, memberId, year, ct);
            var other = self ? before?.Branch : before?.Self;
            var result = other is null ? null : self ? Checkups.Result(items, ratings, other) : Checkups.Result(items, other, ratings);
            await CheckupStore.SaveAsync(conn, tx, year, memberId, member.OrgId, self, ratings, viewer.MemberId, result, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, viewer.Actor, self ? "checkup.self_assessed" : "checkup.branch_assessed",
                "member", memberId, member.OrgId, viewer.MemberId, new { year, grade = result?.Grade }), ct);
            return 0;
        }, ct);
        return await GetAsync(viewer, memberId, year, ct);
    }

    /// <summary>The branch secretary's list: every member of her branch on the roll and where each stands.</summary>
    public async Task<IReadOnlyList<CheckupStatus>> BranchAsync(MemberEditor viewer, long orgId, int year, CancellationToken ct)
    {
        var org = await orgs.GetAsync(orgId, ct) ?? throw new NotFoundException($"组织 {orgId} 不存在", "org.not_found");
        if (org.Kind != OrgKind.Branch || !Checkups.IsSecretaryOf(viewer.Grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "支部的党性体检情况仅本支部书记可以查看");
        var roster = await members.RosterAsync(orgId, new RosterScope(Subtree: true, OnTheRollOnly: true), ct);
        var records = (await store.OfBranchAsync(org.Path, year, ct)).ToDictionary(r => r.MemberId);
        return roster.Select(m => records.TryGetValue(m.Id, out var r)
                ? new CheckupStatus(m.Id, m.Name, r.Self is not null, r.Branch is not null, r.Score, r.Grade)
                : new CheckupStatus(m.Id, m.Name, false, false, null, null))
            .ToList();
    }

    /// <summary>
    /// The topics an org's 组织生活会 takes from the check-ups of its members in the task's year: for anyone who may read
    /// the task's org; counts only, no names. Empty for other tasks.
    /// </summary>
    public async Task<(int Year, IReadOnlyList<CheckupTopic> Topics)> TopicsAsync(IReadOnlyList<Grant> grants, long taskId, CancellationToken ct)
    {
        var task = await tasks.GetAsync(taskId, ct) ?? throw new NotFoundException($"任务 {taskId} 不存在", "task.not_found");
        var org = await orgs.GetAsync(task.OrgId, ct) ?? throw new NotFoundException($"任务 {taskId} 不存在", "task.not_found");
        if (!Access.CanRead(grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "您无权查看该任务");
        var year = Periods.TryParse(task.PeriodKey, out var period) ? period.Year : CurrentYear();
        if (task.TemplateCode != TaskCodes.OrgLifeMeeting)
            return (year, []);
        var items = await store.ItemsAsync(year, ct);
        var records = await store.OfBranchAsync(org.Path, year, ct);
        var topics = Checkups.Topics(records.Select(r => (IReadOnlyList<CheckupItem>)r.Improve
            .Select(id => items.FirstOrDefault(i => i.Id == id)).OfType<CheckupItem>().ToList()), TopicLimit);
        return (year, topics.Select(t => new CheckupTopic(t.Item.Section, t.Item.Text, t.Members)).ToList());
    }

    private Task<(Member Member, Org Org)> MemberAsync(long memberId, CancellationToken ct) => members.WithBranchAsync(orgs, memberId, ct);

    // The office's questionnaire (console, office staff only).

    public async Task<long> AddItemAsync(MemberEditor editor, int year, string? section, string? text, int weight, CancellationToken ct)
    {
        EnsureStaff(editor);
        if (Checkups.CheckItem(section, text, weight) is { } refusal)
            throw new RuleViolationException("checkup.item_invalid", refusal);
        var now = clock.GetUtcNow();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            await EnsureEditableAsync(conn, tx, year, ct);
            var id = await CheckupStore.AddItemAsync(conn, tx, year, section!.Trim(), text!.Trim(), weight, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "checkup.item_added", "checkup_item", id, null,
                editor.MemberId, new { year, section, text, weight }), ct);
            return id;
        }, ct);
    }

    public async Task RemoveItemAsync(MemberEditor editor, long id, CancellationToken ct)
    {
        EnsureStaff(editor);
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            var item = await CheckupStore.GetItemAsync(conn, tx, id, ct) ?? throw new NotFoundException($"题目 {id} 不存在", "checkup.item_not_found");
            await EnsureEditableAsync(conn, tx, item.Year, ct);
            await CheckupStore.DeleteItemAsync(conn, tx, id, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "checkup.item_removed", "checkup_item", id, null,
                editor.MemberId, new { item.Year, item.Text }), ct);
            return 0;
        }, ct);
    }

    /// <summary>Starts an empty year's questionnaire from the year before's; how many items it copied.</summary>
    public async Task<int> CopyFromPreviousAsync(MemberEditor editor, int year, CancellationToken ct)
    {
        EnsureStaff(editor);
        var now = clock.GetUtcNow();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            await EnsureEditableAsync(conn, tx, year, ct);
            var copied = await CheckupStore.CopyItemsAsync(conn, tx, year - 1, year, now, ct);
            if (copied == 0)
                throw new RuleViolationException("checkup.nothing_to_copy", $"{year - 1}年度没有题目可复制，或{year}年度已有题目");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "checkup.items_copied", "checkup_year", year, null,
                editor.MemberId, new { from = year - 1, copied }), ct);
            return copied;
        }, ct);
    }

    private static async Task EnsureEditableAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, int year,
        CancellationToken ct)
    {
        await CheckupStore.LockYearAsync(conn, tx, year, ct);
        if (await CheckupStore.AnsweredAsync(conn, tx, year, ct))
            throw new ConflictException("checkup.form_in_use", $"{year}年的问卷已有党员作答，题目不能再改");
    }

    private static void EnsureStaff(MemberEditor editor)
    {
        if (!editor.Grants.Any(g => g.Role == Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "体检问卷由街道党建办维护");
    }
}
