using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Storage;

/// <summary>One row of duty_versions: a <see cref="TaskTemplate"/> as stored, with who added it and when.</summary>
public sealed class DutyVersionRow
{
    public string Code { get; init; } = "";
    public int Version { get; init; }
    public DateTime EffectiveFrom { get; init; }
    public string Name { get; init; } = "";
    public string Source { get; init; } = "";
    public string RecurrenceKind { get; init; } = "";
    public int? WithinQuarter { get; init; }
    public bool PerPartyGroup { get; init; }
    public string? AppliesKind { get; init; }
    public bool CommitteeOnly { get; init; }
    public bool CommunityLevelOnly { get; init; }
    public bool PlanRequired { get; init; }
    public int PlanDaysAhead { get; init; }
    public int MinPhotos { get; init; }
    public bool AttendanceRequired { get; init; }
    public string Quorum { get; init; } = "";
    public bool MinutesRequired { get; init; }
    public bool PlaceRequired { get; init; }
    public bool TopicRequired { get; init; }
    public string RecordLabel { get; init; } = "";
    public decimal Points { get; init; }
    public decimal LateDeduction { get; init; }
    public decimal OverdueDeduction { get; init; }
    public int OrganiserDaysBefore { get; init; }
    public bool MembersDayBefore { get; init; }
    public bool SameDayWarning { get; init; }
    public int? EscalateAfterDays { get; init; }
    public int PlanReportAfterDays { get; init; }
    public string AddedBy { get; init; } = "";
    public long? AddedByMemberId { get; init; }
    public DateTime AddedAt { get; init; }

    public TaskTemplate ToTemplate() => new(Code, Version, DateOnly.FromDateTime(EffectiveFrom), Name, Source,
        new Recurrence(DbNames.Parse<RecurrenceKind>(RecurrenceKind), WithinQuarter, PerPartyGroup),
        new AppliesTo(AppliesKind is null ? null : DbNames.Parse<OrgKind>(AppliesKind), CommitteeOnly, CommunityLevelOnly),
        new PlanRule(PlanRequired, PlanDaysAhead),
        new EvidenceRule(MinPhotos, AttendanceRequired, DbNames.Parse<Quorum>(Quorum), MinutesRequired, PlaceRequired, TopicRequired,
            RecordLabel),
        Points, LateDeduction, OverdueDeduction,
        new ReminderRule(OrganiserDaysBefore, MembersDayBefore, SameDayWarning, EscalateAfterDays, PlanReportAfterDays));

    public static DutyVersionRow From(TaskTemplate t, string addedBy, long? addedByMemberId, DateTimeOffset addedAt) => new()
    {
        Code = t.Code, Version = t.Version, EffectiveFrom = t.EffectiveFrom.ToDateTime(TimeOnly.MinValue), Name = t.Name,
        Source = t.Source, RecurrenceKind = DbNames.Of(t.Recurrence.Kind), WithinQuarter = t.Recurrence.WithinQuarter,
        PerPartyGroup = t.Recurrence.PerPartyGroup, AppliesKind = t.AppliesTo.Kind is { } k ? DbNames.Of(k) : null,
        CommitteeOnly = t.AppliesTo.CommitteeOnly, CommunityLevelOnly = t.AppliesTo.CommunityLevelOnly,
        PlanRequired = t.PlanRule.Required, PlanDaysAhead = t.PlanRule.DaysAhead, MinPhotos = t.EvidenceRule.MinPhotos,
        AttendanceRequired = t.EvidenceRule.AttendanceRequired, Quorum = DbNames.Of(t.EvidenceRule.Quorum),
        MinutesRequired = t.EvidenceRule.MinutesRequired, PlaceRequired = t.EvidenceRule.PlaceRequired,
        TopicRequired = t.EvidenceRule.TopicRequired, RecordLabel = t.EvidenceRule.RecordLabel, Points = t.Points,
        LateDeduction = t.LateDeduction, OverdueDeduction = t.OverdueDeduction,
        OrganiserDaysBefore = t.ReminderRule.OrganiserDaysBefore, MembersDayBefore = t.ReminderRule.MembersDayBefore,
        SameDayWarning = t.ReminderRule.SameDayWarning, EscalateAfterDays = t.ReminderRule.EscalateAfterDays,
        PlanReportAfterDays = t.ReminderRule.PlanReportAfterDays, AddedBy = addedBy, AddedByMemberId = addedByMemberId,
        AddedAt = addedAt.UtcDateTime,
    };
}

/// <summary>A stored task of a duty in a period that starts on or after a new version's effective date.</summary>
public sealed record DutyTaskRow(long Id, string UniqueKey, string PeriodKey, string State, int TemplateVersion);

/// <summary>What a new version does to the stored tasks: pending ones move to it, pending ones it no longer makes go.</summary>
public sealed record DutyTaskChanges(IReadOnlyList<PlannedTask> Move, IReadOnlyList<long> Withdraw);

public enum DutySaveOutcome
{
    Saved,
    /// <summary>Another version was saved meanwhile: preview again.</summary>
    Conflict,
    /// <summary>The version being rewritten is used by a task by now.</summary>
    InUse,
}

public sealed record DutySave(DutySaveOutcome Outcome, int Moved, int Withdrawn);

/// <summary>
/// The duty catalogue's versions (duty_versions) and what adding one does to the tasks already planned. The built-in
/// catalogue is written as the first version of each duty the first time it is read, so a fresh database (or one a
/// test emptied) always holds it.
/// </summary>
public sealed class DutyStore(MySqlDataSource db)
{
    private const string Columns = """
        code AS Code, version AS Version, effective_from AS EffectiveFrom, name AS Name, source AS Source,
        recurrence_kind AS RecurrenceKind, within_quarter AS WithinQuarter, per_party_group AS PerPartyGroup,
        applies_kind AS AppliesKind, committee_only AS CommitteeOnly, community_level_only AS CommunityLevelOnly,
        plan_required AS PlanRequired, plan_days_ahead AS PlanDaysAhead, min_photos AS MinPhotos,
        attendance_required AS AttendanceRequired, quorum AS Quorum, minutes_required AS MinutesRequired,
        place_required AS PlaceRequired, topic_required AS TopicRequired, record_label AS RecordLabel, points AS Points,
        late_deduction AS LateDeduction, overdue_deduction AS OverdueDeduction, organiser_days_before AS OrganiserDaysBefore,
        members_day_before AS MembersDayBefore, same_day_warning AS SameDayWarning, escalate_after_days AS EscalateAfterDays,
        plan_report_after_days AS PlanReportAfterDays, added_by AS AddedBy, added_by_member_id AS AddedByMemberId,
        added_at AS AddedAt
        """;

    private const string InsertSql = """
        INSERT IGNORE INTO duty_versions (code, version, effective_from, name, source, recurrence_kind, within_quarter,
            per_party_group, applies_kind, committee_only, community_level_only, plan_required, plan_days_ahead, min_photos,
            attendance_required, quorum, minutes_required, place_required, topic_required, record_label, points,
            late_deduction, overdue_deduction, organiser_days_before, members_day_before, same_day_warning,
            escalate_after_days, plan_report_after_days, added_by, added_by_member_id, added_at)
        VALUES (@Code, @Version, @EffectiveFrom, @Name, @Source, @RecurrenceKind, @WithinQuarter, @PerPartyGroup, @AppliesKind,
            @CommitteeOnly, @CommunityLevelOnly, @PlanRequired, @PlanDaysAhead, @MinPhotos, @AttendanceRequired, @Quorum,
            @MinutesRequired, @PlaceRequired, @TopicRequired, @RecordLabel, @Points, @LateDeduction, @OverdueDeduction,
            @OrganiserDaysBefore, @MembersDayBefore, @SameDayWarning, @EscalateAfterDays, @PlanReportAfterDays, @AddedBy,
            @AddedByMemberId, @AddedAt)
        """;

    /// <summary>Every version of every duty, oldest first; the built-in catalogue is written first where it is missing.</summary>
    public async Task<IReadOnlyList<DutyVersionRow>> LoadAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await ReadAsync(conn, ct);
        var have = rows.Select(r => (r.Code, r.Version)).ToHashSet();
        var missing = TaskCatalogue.Default.Where(t => !have.Contains((t.Code, t.Version))).ToList();
        if (missing.Count == 0)
            return rows;
        await conn.ExecuteAsync(new CommandDefinition(InsertSql,
            missing.Select(t => DutyVersionRow.From(t, "system", null, now)), cancellationToken: ct));
        return await ReadAsync(conn, ct);
    }

    private static async Task<IReadOnlyList<DutyVersionRow>> ReadAsync(DbConnection conn, CancellationToken ct) =>
        (await conn.QueryAsync<DutyVersionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM duty_versions ORDER BY code, version", cancellationToken: ct))).ToList();

    /// <summary>How many tasks (of any state) were made under the version.</summary>
    public async Task<long> TasksUsingAsync(string code, int version, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM tasks WHERE adhoc = FALSE AND template_code = @code AND template_version = @version",
            new { code, version }, cancellationToken: ct));
    }

    /// <summary>The stored tasks of the duty due after <paramref name="from"/> (the caller narrows them to periods starting then).</summary>
    public async Task<IReadOnlyList<DutyTaskRow>> TasksDueAfterAsync(string code, DateTimeOffset from, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DutyTaskRow>(new CommandDefinition("""
            SELECT id AS Id, unique_key AS UniqueKey, period_key AS PeriodKey, state AS State, template_version AS TemplateVersion
            FROM tasks WHERE adhoc = FALSE AND template_code = @code AND due_at > @from
            """, new { code, from = from.UtcDateTime }, cancellationToken: ct))).ToList();
    }

    /// <summary>Whether any task of the year is stored (its plan has been generated).</summary>
    public async Task<bool> YearPlannedAsync(int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM tasks WHERE period_key LIKE @pattern)", new { pattern = $"{year}%" }, cancellationToken: ct));
    }

    /// <summary>
    /// Saves the version and applies it to the stored tasks in one transaction with its audit entry: pending tasks move to
    /// it (version, points, window; their row version rises), pending tasks it no longer makes are removed unless
    /// anything refers to them. A new version must follow the newest (someone may have added one meanwhile); a
    /// <paramref name="replacing"/> save rewrites the newest version, which no task may use yet (checked under the lock).
    /// </summary>
    public Task<DutySave> SaveAsync(DutyVersionRow row, bool replacing, DutyTaskChanges changes,
        Func<int, int, AuditEntry> audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            // The newest version is locked, so two saves of the same duty queue up and the second sees the first.
            var latest = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
                "SELECT MAX(version) FROM duty_versions WHERE code = @Code FOR UPDATE", row, tx, cancellationToken: ct));
            if (latest != (replacing ? row.Version : row.Version - 1))
                return new DutySave(DutySaveOutcome.Conflict, 0, 0);
            if (replacing)
            {
                var used = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM tasks WHERE adhoc = FALSE AND template_code = @Code AND template_version = @Version)",
                    row, tx, cancellationToken: ct));
                if (used)
                    return new DutySave(DutySaveOutcome.InUse, 0, 0);
                await conn.ExecuteAsync(new CommandDefinition("DELETE FROM duty_versions WHERE code = @Code AND version = @Version",
                    row, tx, cancellationToken: ct));
            }
            if (await conn.ExecuteAsync(new CommandDefinition(InsertSql, row, tx, cancellationToken: ct)) != 1)
                return new DutySave(DutySaveOutcome.Conflict, 0, 0);
            var moved = 0;
            foreach (var t in changes.Move)
            {
                moved += await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE tasks SET template_version = @version, possible_points = @points, opens_at = @opens, due_at = @due,
                        next_reminder_at = @opens, row_version = row_version + 1, updated_at = @now
                    WHERE unique_key = @key AND template_code = @code AND state = 'pending' AND adhoc = FALSE
                    """, new
                {
                    version = t.TemplateVersion, points = t.PossiblePoints, opens = t.OpensAt.UtcDateTime, due = t.DueAt.UtcDateTime,
                    now = row.AddedAt, key = t.UniqueKey, code = t.TemplateCode,
                }, tx, cancellationToken: ct));
            }
            var withdrawn = changes.Withdraw.Count == 0 ? 0 : await conn.ExecuteAsync(new CommandDefinition("""
                DELETE FROM tasks
                WHERE id IN @ids AND state = 'pending' AND adhoc = FALSE
                  AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.task_id = tasks.id)
                  AND NOT EXISTS (SELECT 1 FROM task_evidence e WHERE e.task_id = tasks.id)
                  AND NOT EXISTS (SELECT 1 FROM task_chat_photos c WHERE c.task_id = tasks.id)
                  AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.task_id = tasks.id)
                """, new { ids = changes.Withdraw }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, audit(moved, withdrawn), ct);
            return new DutySave(DutySaveOutcome.Saved, moved, withdrawn);
        }, ct);
}
