using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Inspections;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>Which inspections to list: a kind, a year, and one of an inspector, an org's subtree (or neither: all).</summary>
public sealed record InspectionQuery(InspectionKind? Kind, int? Year, long? InspectorMemberId, string? OrgPath, int Limit = 1000);

/// <summary>An item's result as written on submission.</summary>
public sealed record ItemResultWrite(int No, ItemResult Result, NonconformitySeverity? Severity, string? Note, IReadOnlyList<StoredPhoto> Photos);

/// <summary>
/// Inspectors' terms (<c>inspectors</c>), the inspections with their checklist items and photos (<c>inspections</c>,
/// <c>inspection_items</c>, <c>inspection_photos</c>), and the branches the plan must cover. One inspection per kind,
/// branch and quarter (a unique key): planning it twice finds the first.
/// </summary>
public sealed class InspectionStore(MySqlDataSource db)
{
    private const string Columns = """
        i.id AS Id, i.kind AS Kind, i.org_id AS OrgId, o.name AS OrgName, o.path AS OrgPath,
        COALESCE((SELECT c.name FROM orgs c WHERE c.depth = 1 AND o.path LIKE CONCAT(c.path, '%') LIMIT 1), o.name) AS CommunityName,
        i.year AS Year, i.quarter AS Quarter, i.inspector_member_id AS InspectorMemberId, m.name AS InspectorName, i.state AS State,
        i.summary AS Summary, i.submitted_by AS SubmittedBy, i.submitted_at AS SubmittedAt, i.row_version AS Version
        """;

    private const string From = "FROM inspections i JOIN orgs o ON o.id = i.org_id LEFT JOIN members m ON m.id = i.inspector_member_id";

    private sealed record Row(long Id, string Kind, long OrgId, string OrgName, string OrgPath, string CommunityName, int Year, int Quarter,
        long? InspectorMemberId, string? InspectorName, string State, string? Summary, string? SubmittedBy, DateTime? SubmittedAt, int Version)
    {
        public Inspection ToModel() => new(Id, DbNames.Parse<InspectionKind>(Kind), OrgId, OrgName, OrgPath, CommunityName, Year, Quarter,
            InspectorMemberId, InspectorName, DbNames.Parse<InspectionState>(State), Summary, SubmittedBy, SubmittedAt is { } s ? Utc(s) : null,
            Version);
    }

    private sealed record ItemRow(int No, string? DutyCode, string Clause, string Text, string? Result, string? Severity, string? Note,
        long? NonconformityId);

    private sealed record PhotoRow(int ItemNo, string Sha256, long Size, string ContentType, string RelativePath, DateTime? TakenAt);

    private sealed record TermRow(long Id, long MemberId, string Name, string Unit, DateTime TermFrom, DateTime TermTo, string AppointedBy);

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) => db.InTransactionAsync(body, ct);

    // -- inspectors --

    public static async Task<long> InsertTermAsync(DbConnection conn, DbTransaction tx, long memberId, string unit, DateOnly from, DateOnly to,
        string by, DateTimeOffset now, CancellationToken ct)
    {
        if (await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM members WHERE id = @memberId", new { memberId }, tx,
                cancellationToken: ct)) == 0)
            throw new NotFoundException($"党员 {memberId} 不存在", "member.not_found");
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO inspectors (member_id, unit, term_from, term_to, appointed_by, appointed_at) VALUES (@memberId, @unit, @from, @to, @by, @now);
            SELECT LAST_INSERT_ID();
            """, new { memberId, unit, from = from.ToDateTime(TimeOnly.MinValue), to = to.ToDateTime(TimeOnly.MinValue), by, now = now.UtcDateTime },
            tx, cancellationToken: ct));
    }

    /// <summary>Every term, latest end first (the console's list).</summary>
    public async Task<IReadOnlyList<InspectorTerm>> TermsAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<TermRow>(new CommandDefinition("""
            SELECT t.id AS Id, t.member_id AS MemberId, m.name AS Name, t.unit AS Unit, t.term_from AS TermFrom, t.term_to AS TermTo,
                   t.appointed_by AS AppointedBy
            FROM inspectors t JOIN members m ON m.id = t.member_id ORDER BY t.term_to DESC, t.id
            """, cancellationToken: ct))).Select(ToTerm).ToList();
    }

    /// <summary>The member's terms covering <paramref name="day"/>.</summary>
    public async Task<InspectorTerm?> TermOnAsync(long memberId, DateOnly day, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QueryFirstOrDefaultAsync<TermRow>(new CommandDefinition("""
            SELECT t.id AS Id, t.member_id AS MemberId, m.name AS Name, t.unit AS Unit, t.term_from AS TermFrom, t.term_to AS TermTo,
                   t.appointed_by AS AppointedBy
            FROM inspectors t JOIN members m ON m.id = t.member_id
            WHERE t.member_id = @memberId AND t.term_from <= @day AND t.term_to >= @day ORDER BY t.term_to DESC LIMIT 1
            """, new { memberId, day = day.ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct));
        return row is null ? null : ToTerm(row);
    }

    private static InspectorTerm ToTerm(TermRow r) =>
        new(r.Id, r.MemberId, r.Name, r.Unit, DateOnly.FromDateTime(r.TermFrom), DateOnly.FromDateTime(r.TermTo), r.AppointedBy);

    // -- the plan --

    /// <summary>The branches the plan must cover: every branch not dissolved, with its community's name.</summary>
    public async Task<IReadOnlyList<CoverageBranch>> BranchesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<CoverageBranch>(new CommandDefinition("""
            SELECT b.id AS OrgId, b.name AS Name,
                   COALESCE((SELECT c.name FROM orgs c WHERE c.depth = 1 AND b.path LIKE CONCAT(c.path, '%') LIMIT 1), b.name) AS CommunityName
            FROM orgs b WHERE b.kind = 'branch' AND b.dissolved_on IS NULL ORDER BY b.path
            """, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Plans an inspection with its checklist in the caller's transaction; its id, or null when one of that kind, branch and
    /// quarter exists.
    /// </summary>
    public static async Task<long?> InsertAsync(DbConnection conn, DbTransaction tx, InspectionKind kind, long orgId, int year, int quarter,
        long? inspector, IReadOnlyList<ChecklistItem> items, string by, DateTimeOffset now, CancellationToken ct)
    {
        if (await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM orgs WHERE id = @orgId AND kind = 'branch'", new { orgId }, tx,
                cancellationToken: ct)) == 0)
            throw new NotFoundException($"支部 {orgId} 不存在", "org.not_found");
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT IGNORE INTO inspections (kind, org_id, year, quarter, inspector_member_id, state, planned_by, planned_at)
            VALUES (@kind, @orgId, @year, @quarter, @inspector, 'planned', @by, @now);
            SELECT IF(ROW_COUNT() > 0, LAST_INSERT_ID(), NULL);
            """, new { kind = DbNames.Of(kind), orgId, year, quarter, inspector, by, now = now.UtcDateTime }, tx, cancellationToken: ct));
        if (id is not { } created)
            return null;
        foreach (var item in items)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO inspection_items (inspection_id, item_no, duty_code, clause, text) VALUES (@created, @No, @DutyCode, @Clause, @Text)
                """, new { created, item.No, item.DutyCode, item.Clause, item.Text }, tx, cancellationToken: ct));
        }
        return created;
    }

    /// <summary>Removes a planned (not yet submitted) visit or audit of the office's plan; false when there is none such (a branch's self-inspection is its own).</summary>
    public static async Task<bool> DeletePlannedAsync(DbConnection conn, DbTransaction tx, long id, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM inspections WHERE id = @id AND state = 'planned' AND kind <> 'self_inspection'", new { id }, tx,
            cancellationToken: ct)) == 1;

    public async Task<long?> IdOfAsync(InspectionKind kind, long orgId, int year, int quarter, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM inspections WHERE kind = @kind AND org_id = @orgId AND year = @year AND quarter = @quarter",
            new { kind = DbNames.Of(kind), orgId, year, quarter }, cancellationToken: ct));
    }

    public async Task<Inspection?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} {From} WHERE i.id = @id", new { id },
            cancellationToken: ct));
        return row?.ToModel();
    }

    public async Task<IReadOnlyList<Inspection>> ListAsync(InspectionQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} {From}
            WHERE (@kind IS NULL OR i.kind = @kind) AND (@year IS NULL OR i.year = @year)
              AND (@inspector IS NULL OR i.inspector_member_id = @inspector) AND (@path IS NULL OR o.path LIKE CONCAT(@path, '%'))
            ORDER BY i.year DESC, i.quarter DESC, o.path, i.kind LIMIT @limit
            """, new { kind = q.Kind is { } k ? DbNames.Of(k) : null, year = q.Year, inspector = q.InspectorMemberId, path = q.OrgPath, limit = q.Limit },
            cancellationToken: ct))).Select(r => r.ToModel()).ToList();
    }

    /// <summary>The checklist of an inspection with results and photos, in order.</summary>
    public async Task<IReadOnlyList<InspectionItem>> ItemsAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var items = await conn.QueryAsync<ItemRow>(new CommandDefinition("""
            SELECT item_no AS No, duty_code AS DutyCode, clause AS Clause, text AS Text, result AS Result, severity AS Severity, note AS Note,
                   nonconformity_id AS NonconformityId
            FROM inspection_items WHERE inspection_id = @id ORDER BY item_no
            """, new { id }, cancellationToken: ct));
        var photos = (await conn.QueryAsync<PhotoRow>(new CommandDefinition("""
            SELECT item_no AS ItemNo, sha256 AS Sha256, size_bytes AS Size, content_type AS ContentType, storage_path AS RelativePath,
                   taken_at AS TakenAt
            FROM inspection_photos WHERE inspection_id = @id ORDER BY id
            """, new { id }, cancellationToken: ct))).ToLookup(p => p.ItemNo);
        return items.Select(r => new InspectionItem(r.No, r.DutyCode, r.Clause, r.Text, r.Result is null ? null : DbNames.Parse<ItemResult>(r.Result),
            r.Severity is null ? null : DbNames.Parse<NonconformitySeverity>(r.Severity), r.Note, r.NonconformityId,
            photos[r.No].Select(p => new StoredPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath, p.TakenAt is { } t ? Utc(t) : null)).ToList()))
            .ToList();
    }

    /// <summary>Marks the inspection submitted if its version is the one the form saw and writes each item's result and photos.</summary>
    public static async Task<bool> SubmitAsync(DbConnection conn, DbTransaction tx, long id, int version, string? summary, string by,
        IReadOnlyList<ItemResultWrite> results, DateTimeOffset now, CancellationToken ct)
    {
        var changed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE inspections SET state = 'submitted', summary = @summary, submitted_by = @by, submitted_at = @now, row_version = row_version + 1
            WHERE id = @id AND row_version = @version AND state = 'planned'
            """, new { id, version, summary, by, now = now.UtcDateTime }, tx, cancellationToken: ct));
        if (changed != 1)
            return false;
        foreach (var r in results)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE inspection_items SET result = @result, severity = @severity, note = @Note WHERE inspection_id = @id AND item_no = @No
                """, new { id, r.No, result = DbNames.Of(r.Result), severity = r.Severity is { } s ? DbNames.Of(s) : null, r.Note }, tx,
                cancellationToken: ct));
            foreach (var p in r.Photos)
            {
                await conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO inspection_photos (inspection_id, item_no, sha256, size_bytes, content_type, storage_path, taken_at)
                    VALUES (@id, @No, @Sha256, @Size, @ContentType, @RelativePath, @takenAt)
                    """, new { id, r.No, p.Sha256, p.Size, p.ContentType, p.RelativePath, takenAt = p.TakenAt?.UtcDateTime }, tx, cancellationToken: ct));
            }
        }
        return true;
    }

    /// <summary>The planned inspections and audits of a quarter that have an inspector (the due notices' read).</summary>
    public async Task<IReadOnlyList<Inspection>> PlannedAsync(int year, int quarter, CancellationToken ct) =>
        (await ListAsync(new InspectionQuery(null, year, null, null, 5000), ct))
            .Where(i => i.Quarter == quarter && i.State == InspectionState.Planned && i.InspectorMemberId is not null).ToList();

    /// <summary>Links a failed item to the nonconformity it raised.</summary>
    public async Task LinkFindingAsync(long id, int itemNo, long nonconformityId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE inspection_items SET nonconformity_id = @nonconformityId WHERE inspection_id = @id AND item_no = @itemNo",
            new { id, itemNo, nonconformityId }, cancellationToken: ct));
    }
}
