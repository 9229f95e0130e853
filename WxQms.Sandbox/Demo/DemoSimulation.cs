using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Meetings;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Meetings;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

public sealed record SimulationResult(string Month, int OnTime, int Late, int LeftOpen, int Attendance, bool Closed);

/// <summary>
/// The demo's history, for demos only (<c>WxQms.Jobs simulate</c>): the demo subdistrict goes live on 1 January of the
/// clock's year and every month since is worked through. Each branch gets a steady diligence (from its id, so every run
/// tells the same story), and each open task due in the month is held on time (most), held late (some) or missed (a few,
/// at most <see cref="MaxMissedPerOrg"/> per org and year, then marked overdue). A held meeting leaves what a real
/// submission leaves: evidence (held at, place, topic, attendance of the branch's members, <see cref="DemoPhotos"/>'s
/// photos stored through the file store), the ledger entries (the org's points less the late deduction, an attendance
/// point per member present), the trail, the reminders that were sent before it, and some office reviews (approved,
/// with a few quality adjustments; a few of this month's returned). Finished months are closed, so rankings have a history.
/// Safe to repeat: tasks already completed are skipped, every row is keyed, and a missed task is missed again.
/// </summary>
public sealed class DemoSimulation(MySqlDataSource db, PlanService plans, OverdueMarker overdue, AssessmentService assessment,
    GoLiveStore goLive, DemoPhotos photos, RankingCache cache, TaskCache taskCache, ITaskCatalogueSource duties, TimeProvider clock, ILogger<DemoSimulation> log)
{
    public const string Actor = "simulate";

    /// <summary>The demo's story allows each org this many missed duties a year (the realistic picture: a handful).</summary>
    public const int MaxMissedPerOrg = 3;

    private const int TasksPerTransaction = 200;

    private static readonly string[] Places = ["社区党群服务中心", "支部活动室", "社区议事厅", "新时代文明实践站"];

    private static readonly string[] Topics =
    [
        "学习党的二十届四中全会精神", "学习《中国共产党章程》", "开展志愿服务进楼院", "学习习近平新时代中国特色社会主义思想",
        "讨论社区治理难题", "重温入党誓词", "学习《中国共产党纪律处分条例》", "交流学习心得",
    ];

    /// <summary>What every month's simulation reads once: the photos, the branches' members and secretaries, the missed count.</summary>
    private sealed record Context(IReadOnlyList<StoredPhoto> Photos, ILookup<long, long> Roster, IReadOnlyDictionary<long, long> Secretaries,
        Dictionary<long, int> Missed, TaskCatalogue Catalogue);

    private sealed record OpenTask(long Id, long OrgId, string TemplateCode, int TemplateVersion, string PeriodKey, DateTime OpensAt,
        DateTime DueAt, decimal PossiblePoints, string State);

    /// <summary>The story so far: go-live on 1 January, every month up to now, finished months closed.</summary>
    public async Task<IReadOnlyList<SimulationResult>> SimulateYearAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = Periods.LocalDate(now);
        await GoLiveAsync(new DateOnly(today.Year, 1, 1), now, ct);
        await plans.GenerateYearAsync(today.Year, ct);
        var context = await ContextAsync(ct);
        var results = new List<SimulationResult>();
        for (var m = 1; m <= today.Month; m++)
            results.Add(await SimulateAsync(Periods.Containing(Recurrence.Monthly, LocalTimeAt(new DateOnly(today.Year, m, 15))), context, ct));
        return results;
    }

    /// <summary>Last month and this month only (the ranking page's browser tests).</summary>
    public async Task<IReadOnlyList<SimulationResult>> SimulateRecentAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var current = Periods.Containing(Recurrence.Monthly, now);
        var previous = Periods.Containing(Recurrence.Monthly, current.StartsAt.AddDays(-1));
        foreach (var year in new[] { previous.Year, current.Year }.Distinct())
            await plans.GenerateYearAsync(year, ct);
        var context = await ContextAsync(ct);
        return [await SimulateAsync(previous, context, ct), await SimulateAsync(current, context, ct)];
    }

    /// <summary>The subdistrict (the seeded root) goes live on <paramref name="day"/> unless a go-live is set already.</summary>
    private async Task GoLiveAsync(DateOnly day, DateTimeOffset now, CancellationToken ct)
    {
        var root = (await goLive.ListAsync(ct)).FirstOrDefault(o => o.ParentId is null);
        if (root is null || root.LiveOn is not null)
            return;
        var change = await goLive.SetAsync(root.Id, day, Actor, null, now, ct);
        log.LogInformation("Demo subdistrict {Name} goes live on {Day} ({Cancelled} earlier tasks cancelled)", root.Name,
            day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            change?.Cancelled.Count ?? 0);
    }

    private async Task<Context> ContextAsync(CancellationToken ct)
    {
        var stored = await photos.StoreAsync(ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var roster = (await conn.QueryAsync<(long OrgId, long MemberId)>(new CommandDefinition("""
            SELECT COALESCE(g.parent_id, m.org_id), m.id
            FROM members m JOIN orgs o ON o.id = m.org_id LEFT JOIN orgs g ON g.id = m.org_id AND g.kind = 'party_group'
            WHERE m.status IN ('full', 'probationary')
            ORDER BY m.id
            """, cancellationToken: ct))).ToLookup(r => r.OrgId, r => r.MemberId);
        var secretaries = (await conn.QueryAsync<(long OrgId, long MemberId)>(new CommandDefinition(
            "SELECT org_id, MIN(member_id) FROM member_roles WHERE role = 'secretary' GROUP BY org_id", cancellationToken: ct)))
            .ToDictionary(r => r.OrgId, r => r.MemberId);
        return new Context(stored, roster, secretaries, [], await duties.GetAsync(ct));
    }

    private async Task<SimulationResult> SimulateAsync(Period month, Context context, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (stored, roster, secretaries, missed, _) = context;
        await using var conn = await db.OpenConnectionAsync(ct);
        var tasks = (await conn.QueryAsync<OpenTask>(new CommandDefinition("""
            SELECT id AS Id, org_id AS OrgId, template_code AS TemplateCode, template_version AS TemplateVersion,
                   period_key AS PeriodKey, opens_at AS OpensAt, due_at AS DueAt, possible_points AS PossiblePoints, state AS State
            FROM tasks
            WHERE due_at > @from AND due_at <= @to AND adhoc = FALSE AND state IN ('pending', 'planned', 'returned', 'overdue')
            ORDER BY id
            """, new { from = month.StartsAt.UtcDateTime, to = month.EndsAt.UtcDateTime }, cancellationToken: ct))).ToList();

        var held = new List<Held>();
        var reminders = new List<SentReminder>();
        int open = 0;
        foreach (var t in tasks)
        {
            var story = Story.Of(t.Id, t.OrgId, new DateTimeOffset(t.OpensAt, TimeSpan.Zero), new DateTimeOffset(t.DueAt, TimeSpan.Zero),
                month);
            var due = new DateTimeOffset(t.DueAt, TimeSpan.Zero);
            if (secretaries.TryGetValue(t.OrgId, out var secretary) && due - TimeSpan.FromDays(3) <= now)
                reminders.Add(new SentReminder(t.Id, ReminderKind.Organiser, secretary, t.OrgId, due - TimeSpan.FromDays(3)));
            if (story.Missed && missed.GetValueOrDefault(t.OrgId) < MaxMissedPerOrg)
            {
                if (due <= now)
                {
                    missed[t.OrgId] = missed.GetValueOrDefault(t.OrgId) + 1;
                    if (secretary != 0)
                        reminders.Add(new SentReminder(t.Id, ReminderKind.Warning, secretary, t.OrgId, due));
                }
                open++;
                continue;
            }
            if (story.DoneAt > now || t.State == DbNames.Of(TaskState.Returned))
            {
                open++;
                continue;
            }
            held.Add(new Held(t, story, roster[t.OrgId].ToList()));
        }

        var attendance = 0;
        foreach (var chunk in held.Chunk(TasksPerTransaction))
            attendance += await BookAsync(conn, chunk, stored, context.Catalogue, now, ct);
        await InsertRemindersAsync(conn, reminders, ct);

        // The month's missed duties are marked overdue as the job would have at the time (not the later months' yet), so
        // each close counts its own and a meeting held late next month never had a deduction to reverse.
        await overdue.MarkDueAsync(month.EndsAt < now ? month.EndsAt : now, ct);
        var closed = month.EndsAt + TimeSpan.FromHours(1) <= now && await assessment.CloseMonthAsync(month, ct);
        await cache.InvalidateAsync();
        await taskCache.InvalidateAsync();
        var late = held.Count(h => h.Story.Late);
        log.LogInformation("Simulated {Month}: {OnTime} on time, {Late} late, {Open} left open, {Attendance} attendance marks{Closed}",
            month.Key, held.Count - late, late, open, attendance, closed ? "; month closed" : "");
        return new SimulationResult(month.Key, held.Count - late, late, open, attendance, closed);
    }

    private static DateTimeOffset LocalTimeAt(DateOnly day) => WxQms.Domain.Rules.LocalTime.ToInstant(day, new TimeOnly(12, 0));

    /// <summary>What happens to one task, from its id and its org's diligence: the same every run.</summary>
    private sealed record Story(bool Missed, bool Late, DateTimeOffset DoneAt, DateTimeOffset HeldAt, int Review, double Roll)
    {
        public static Story Of(long taskId, long orgId, DateTimeOffset opens, DateTimeOffset due, Period month)
        {
            var rng = new Random(unchecked((int)(taskId * 7919 + 17)));
            var diligence = 0.55 + new Random(unchecked((int)(orgId * 104729 + 3))).NextDouble() * 0.43;
            var roll = rng.NextDouble();
            var start = opens < month.StartsAt ? month.StartsAt : opens;
            var doneAt = start + (due - start) * (0.3 + 0.65 * rng.NextDouble());
            var missed = roll < (1 - diligence) * 0.12;
            var late = !missed && roll < (1 - diligence) * 0.45;
            if (late)
                doneAt = due + TimeSpan.FromDays(1 + rng.Next(5));
            // Meetings are held in the afternoon, the evidence goes in that evening.
            var heldAt = WxQms.Domain.Rules.LocalTime.ToInstant(Periods.LocalDate(doneAt), new TimeOnly(14, 30));
            if (heldAt > doneAt)
                heldAt = heldAt.AddDays(-1);
            return new Story(missed, late, doneAt, heldAt, rng.Next(100), rng.NextDouble());
        }
    }

    private sealed record Held(OpenTask Task, Story Story, List<long> Members);

    private sealed record SentReminder(long TaskId, ReminderKind Kind, long MemberId, long OrgId, DateTimeOffset At);

    /// <summary>One transaction: the tasks completed, their evidence, attendance, photos, ledger, reviews and trail.</summary>
    private async Task<int> BookAsync(MySqlConnection conn, Held[] chunk, IReadOnlyList<StoredPhoto> stored, TaskCatalogue catalogue,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Only the tasks still open when locked (a second run, or a branch that acted meanwhile, leaves the rest alone).
        var stillOpen = (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM tasks WHERE id IN @ids AND state IN ('pending', 'planned', 'overdue') FOR UPDATE",
            new { ids = chunk.Select(h => h.Task.Id).ToArray() }, tx, cancellationToken: ct))).ToHashSet();
        var currentMonth = Periods.Containing(Recurrence.Monthly, now);
        var done = chunk.Where(h => stillOpen.Contains(h.Task.Id)).Select(h => Decide(h, catalogue, now, currentMonth)).ToList();
        if (done.Count == 0)
        {
            await tx.RollbackAsync(ct);
            return 0;
        }
        foreach (var group in done.GroupBy(d => (d.State, ReviewStatus: d.ReviewStatus(now))))
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE tasks SET state = @state, review_status = @reviewStatus, next_reminder_at = NULL, warned_at = NULL,
                    row_version = row_version + 1, updated_at = @now
                WHERE id IN @ids
                """, new { state = DbNames.Of(group.Key.State), reviewStatus = group.Key.ReviewStatus, now = now.UtcDateTime,
                ids = group.Select(d => d.Held.Task.Id).ToArray() }, tx, cancellationToken: ct));

        await InsertRowsAsync(conn, tx, "task_evidence",
            ["task_id", "held_at", "place", "topic", "minutes", "present", "absent", "on_leave", "photo_count", "submitted_at", "submitted_by",
             "passed", "on_time", "points", "reviewed_at", "reviewed_by", "review_decision", "review_adjustment", "review_reason"],
            done.Select(d => new object[]
            {
                d.Held.Task.Id, d.Held.Story.HeldAt.UtcDateTime, d.Place, d.Topic,
                $"{d.Template.Name}：{d.Topic}。与会党员交流发言，形成会议记录。（演示模拟）",
                d.Tally.Present, d.Tally.Absent, d.Tally.OnLeave, d.PhotoCount, d.Held.Story.DoneAt.UtcDateTime, Actor,
                true, !d.Held.Story.Late, d.Points,
                d.Reviewed ? d.ReviewedAt.UtcDateTime : null!, d.Reviewed ? Actor : null!,
                d.Approved ? DbNames.Of(ReviewDecision.Approve) : d.Returned ? DbNames.Of(ReviewDecision.Return) : null!,
                d.Reviewed ? d.Adjustment : null!, d.ReviewReason!,
            }).ToList(), ct);
        var evidence = (await conn.QueryAsync<(long TaskId, long Id)>(new CommandDefinition(
            "SELECT task_id, MAX(id) FROM task_evidence WHERE task_id IN @ids GROUP BY task_id",
            new { ids = done.Select(d => d.Held.Task.Id).ToArray() }, tx, cancellationToken: ct))).ToDictionary(e => e.TaskId, e => e.Id);

        var ledger = new List<LedgerEntry>();
        var audit = new List<AuditEntry>();
        var marks = new List<object[]>();
        var photoRows = new List<object[]>();
        var meetingRows = new MeetingRows();
        var attendance = 0;
        foreach (var d in done)
        {
            var (t, story, _) = d.Held;
            var evidenceId = evidence[t.Id];
            marks.AddRange(d.Presence.Select(p => new object[] { evidenceId, p.Member, DbNames.Of(p.Presence) }));
            photoRows.AddRange(stored.Skip((int)(t.Id % 2)).Take(d.PhotoCount).Select(p => new object[]
                { evidenceId, p.Sha256, p.Size, p.ContentType, p.RelativePath, story.HeldAt.UtcDateTime, story.DoneAt.UtcDateTime }));
            var name = $"{d.Template.Name}（{t.PeriodKey}）";
            ledger.Add(new LedgerEntry(LedgerSubjects.Org, t.OrgId, t.PeriodKey, d.Points,
                story.Late ? LedgerSources.CompletedLate : LedgerSources.Completed, name + (story.Late ? "逾期完成" : "按时完成"),
                story.DoneAt, t.Id, evidenceId));
            var present = d.Presence.Where(p => p.Presence == Presence.Present).Select(p => p.Member).ToList();
            ledger.AddRange(present.Select(m => new LedgerEntry(LedgerSubjects.Member, m, t.PeriodKey, TaskScoring.AttendancePoints,
                LedgerSources.Attendance, name + "参加", story.DoneAt, t.Id, evidenceId)));
            attendance += present.Count;
            if (CheckinRules.IsMeeting(d.Template.EvidenceRule))
                meetingRows.Add(t.Id, story.HeldAt, d.Presence);
            if (d.Adjustment != 0)
                ledger.Add(new LedgerEntry(LedgerSubjects.Org, t.OrgId, t.PeriodKey, d.Adjustment, LedgerSources.Review,
                    $"{name}质量加分：{d.ReviewReason}", d.ReviewedAt, t.Id, evidenceId));
            audit.Add(new AuditEntry(story.DoneAt, Actor, "task.evidence_submitted", "task", t.Id, t.OrgId,
                Data: new { simulated = true, EvidenceId = evidenceId, story.Late, d.Points }));
            if (d.Reviewed)
                audit.Add(new AuditEntry(d.ReviewedAt, Actor, d.Approved ? "task.approved" : "task.review_returned", "task", t.Id, t.OrgId,
                    Data: new { simulated = true, EvidenceId = evidenceId, d.Adjustment, Reason = d.ReviewReason }));
        }
        await InsertRowsAsync(conn, tx, "evidence_attendance", ["evidence_id", "member_id", "presence"], marks, ct);
        await InsertRowsAsync(conn, tx, "evidence_photos",
            ["evidence_id", "sha256", "size_bytes", "content_type", "storage_path", "taken_at", "created_at"], photoRows, ct);
        await InsertRowsAsync(conn, tx, "meeting_checkins", ["task_id", "member_id", "checked_in_at", "late", "via"], meetingRows.Checkins, ct);
        await InsertRowsAsync(conn, tx, "leave_requests",
            ["task_id", "member_id", "reason", "state", "requested_at", "decided_at", "note"], meetingRows.Leaves, ct);
        await InsertRowsAsync(conn, tx, "meeting_feedback", ["task_id", "member_id", "rating", "comment", "created_at"], meetingRows.Feedback, ct);
        await LedgerStore.BookManyOnceAsync(conn, tx, ledger, ct);
        await AuditLog.AppendAsync(conn, tx, audit, ct);
        // A returned submission's completion is netted out until the branch resubmits, as the review does.
        foreach (var d in done.Where(d => d.Returned))
            await LedgerStore.NetOutAsync(conn, tx, new LedgerNetting([d.Held.Task.Id], LedgerSources.ReviewReturned,
                $"{d.Template.Name}（{d.Held.Task.PeriodKey}）审核退回：{d.ReviewReason}", d.ReviewedAt, evidence[d.Held.Task.Id],
                [LedgerSources.Completed, LedgerSources.CompletedLate, LedgerSources.Attendance]), ct);
        await tx.CommitAsync(ct);
        return attendance;
    }

    /// <summary>One held meeting as it is booked: its points, attendance, photos and the office's review.</summary>
    private sealed record Booking(Held Held, TaskTemplate Template, decimal Points, string Place, string Topic,
        List<(long Member, Presence Presence)> Presence, Attendance Tally, int PhotoCount, bool Approved, bool Returned, decimal Adjustment,
        DateTimeOffset ReviewedAt, string? ReviewReason)
    {
        public bool Reviewed => Approved || Returned;

        public TaskState State => Returned ? TaskState.Returned : TaskState.Completed;

        /// <summary>Approved and returned ones are reviewed; of the rest, the last weeks' wait in the office's queue.</summary>
        public string? ReviewStatus(DateTimeOffset now) =>
            Returned ? null : Approved ? ReviewStatuses.Approved : now - Held.Story.DoneAt < TimeSpan.FromDays(45) ? ReviewStatuses.Awaiting : null;
    }

    /// <summary>
    /// The office approves about one in four (one in twenty with a quality bonus) and returns about one in eight of this
    /// month's (the branch still has time to resubmit); members attend about four in five, one in ten on leave.
    /// </summary>
    private static Booking Decide(Held h, TaskCatalogue catalogue, DateTimeOffset now, Period currentMonth)
    {
        var t = h.Task;
        var template = catalogue.Get(t.TemplateCode, t.TemplateVersion);
        var points = h.Story.Late ? Math.Max(0, t.PossiblePoints - template.LateDeduction) : t.PossiblePoints;
        var due = new DateTimeOffset(t.DueAt, TimeSpan.Zero);
        var returned = due > now && due <= currentMonth.EndsAt && h.Story.Review < 12;
        var approved = !returned && h.Story.Review < 30;
        var adjustment = approved && h.Story.Review < 5 ? Math.Round(t.PossiblePoints * 0.1m, 2) : 0m;
        var rng = new Random(unchecked((int)(t.Id * 31 + 7)));
        var presence = h.Members.Select(m => (Member: m, Roll: rng.NextDouble()))
            .Select(x => (x.Member, Presence: x.Roll < 0.82 ? Presence.Present : x.Roll < 0.92 ? Presence.OnLeave : Presence.Absent))
            .ToList();
        var reviewedAt = h.Story.DoneAt + TimeSpan.FromDays(2);
        if (reviewedAt > now)
            reviewedAt = now;
        return new Booking(h, template, points, Places[t.Id % Places.Length], Topics[t.Id % Topics.Length], presence,
            Attendance.Tally(presence.Select(p => p.Presence)), 3 + (int)(t.Id % 3), approved, returned, adjustment, reviewedAt,
            returned ? "照片未体现会议主题，请补充" : adjustment > 0 ? "材料翔实，记录规范" : null);
    }

    /// <summary>
    /// A held meeting's own side (#18): those present checked in (most with WeChat's scanner, some with the mini program, a
    /// few by hand; about one in eight late), those on leave asked the day before and were approved, about one in three of
    /// the absent asked and were refused, and about one in three of those present rated it afterwards.
    /// </summary>
    private sealed class MeetingRows
    {
        private static readonly string[] Reasons = ["出差在外地", "身体不适", "家中有事", "单位加班", "照顾老人"];
        private static readonly string[] Comments = ["讲得很实在，收获很大", "形式可以更活泼一些", "希望多结合社区实际", "学习资料很有用"];

        public List<object[]> Checkins { get; } = [];
        public List<object[]> Leaves { get; } = [];
        public List<object[]> Feedback { get; } = [];

        public void Add(long taskId, DateTimeOffset heldAt, IEnumerable<(long Member, Presence Presence)> presence)
        {
            var rng = new Random(unchecked((int)(taskId * 131 + 11)));
            foreach (var (member, mark) in presence)
            {
                var roll = rng.NextDouble();
                switch (mark)
                {
                    case Presence.Present:
                        var late = roll < 0.12;
                        var via = roll < 0.06 ? CheckinVia.Hand : roll < 0.35 ? CheckinVia.Mp : CheckinVia.Oa;
                        var at = heldAt + TimeSpan.FromMinutes(late ? 12 + rng.Next(30) : -rng.Next(20));
                        Checkins.Add([taskId, member, at.UtcDateTime, late, DbNames.Of(via)]);
                        if (roll > 0.66)
                            Feedback.Add([taskId, member, roll > 0.9 ? 4 : 5, roll > 0.93 ? Comments[rng.Next(Comments.Length)] : null!,
                                (heldAt + TimeSpan.FromHours(3)).UtcDateTime]);
                        break;
                    case Presence.OnLeave:
                        Leaves.Add([taskId, member, Reasons[rng.Next(Reasons.Length)], DbNames.Of(LeaveState.Approved),
                            heldAt.AddDays(-1).UtcDateTime, heldAt.AddHours(-20).UtcDateTime, null!]);
                        break;
                    case Presence.Absent when roll < 0.33:
                        Leaves.Add([taskId, member, Reasons[rng.Next(Reasons.Length)], DbNames.Of(LeaveState.Refused),
                            heldAt.AddDays(-1).UtcDateTime, heldAt.AddHours(-20).UtcDateTime, "请尽量参加"]);
                        break;
                }
            }
        }
    }

    /// <summary>The reminders the scan would have sent before each meeting (and the warnings of the missed ones), as sent.</summary>
    private static async Task InsertRemindersAsync(MySqlConnection conn, List<SentReminder> reminders, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        await InsertRowsAsync(conn, tx, "reminders",
            ["subject_type", "subject_id", "recipient", "task_id", "kind", "member_id", "org_id", "status", "due_at", "attempts", "channel",
             "created_at", "updated_at", "sent_at"],
            reminders.Select(r => new object[]
            {
                "task", r.TaskId, $"m:{r.MemberId}", r.TaskId, DbNames.Of(r.Kind), r.MemberId, r.OrgId, DbNames.Of(ReminderStatus.Sent), r.At.UtcDateTime, 1, DbNames.Of(ReminderChannel.Oa),
                r.At.UtcDateTime, r.At.UtcDateTime, r.At.UtcDateTime,
            }).ToList(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Multi-row INSERT IGNORE (rows already there by their unique key are kept): the demo writes many.</summary>
    private static async Task InsertRowsAsync(MySqlConnection conn, DbTransaction tx, string table, string[] columns,
        IReadOnlyList<object[]> rows, CancellationToken ct)
    {
        foreach (var chunk in rows.Chunk(Math.Max(1, 20_000 / columns.Length)))
        {
            var sql = new StringBuilder($"INSERT IGNORE INTO {table} ({string.Join(", ", columns)}) VALUES ");
            var args = new DynamicParameters();
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? "(" : ",(");
                for (var c = 0; c < columns.Length; c++)
                {
                    sql.Append(c == 0 ? "" : ",").Append($"@p{i}_{c}");
                    args.Add($"p{i}_{c}", chunk[i][c]);
                }
                sql.Append(')');
            }
            await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
        }
    }
}
