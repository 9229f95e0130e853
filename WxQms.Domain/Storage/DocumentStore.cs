using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Rules.Documents;

namespace WxQms.Domain.Storage;

/// <summary>A document of the register as stored.</summary>
public sealed record DocumentRow(long Id, string Number, string Title, DocumentLevel Level, long? OwnerOrgId, string? OwnerOrgName,
    string OwnerPerson, DateTimeOffset CreatedAt);

/// <summary>A version of a document as stored.</summary>
public sealed record DocumentVersionRow(long Id, long DocumentId, int Version, DocumentStatus Status, string Body, string ChangeReason,
    string DraftedBy, DateTimeOffset DraftedAt, string? ApprovedBy, DateTimeOffset? ApprovedAt, DateOnly? InForceOn, DateOnly? ObsoleteOn);

/// <summary>A row of the register: the document, its version in force (if any) and its newest version's number and status.</summary>
public sealed record DocumentListRow(DocumentRow Document, int? InForceVersion, DateOnly? InForceOn, int LatestVersion, DocumentStatus LatestStatus);

/// <summary>A new version as written.</summary>
public sealed record NewDocumentVersion(long DocumentId, int Version, string Body, string ChangeReason, string DraftedBy,
    long? DraftedByMemberId, DateTimeOffset DraftedAt);

/// <summary>
/// The register of controlled documents (documents, document_versions) and the clauses duties cite (duty_clauses).
/// Every change runs in the service's transaction after <see cref="LockAsync"/> has locked the document's row, so a
/// document's versions change one at a time.
/// </summary>
public sealed class DocumentStore(MySqlDataSource db)
{
    private sealed class DocRow
    {
        public long Id { get; init; }
        public string Number { get; init; } = "";
        public string Title { get; init; } = "";
        public string Level { get; init; } = "";
        public long? OwnerOrgId { get; init; }
        public string? OwnerOrgName { get; init; }
        public string OwnerPerson { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public int? InForceVersion { get; init; }
        public DateTime? InForceOn { get; init; }
        public int LatestVersion { get; init; }
        public string? LatestStatus { get; init; }

        public DocumentRow ToRow() => new(Id, Number, Title, DbNames.Parse<DocumentLevel>(Level), OwnerOrgId, OwnerOrgName, OwnerPerson,
            DbTime.Utc(CreatedAt));
    }

    private sealed class VersionRow
    {
        public long Id { get; init; }
        public long DocumentId { get; init; }
        public int Version { get; init; }
        public string Status { get; init; } = "";
        public string Body { get; init; } = "";
        public string ChangeReason { get; init; } = "";
        public string DraftedBy { get; init; } = "";
        public DateTime DraftedAt { get; init; }
        public string? ApprovedBy { get; init; }
        public DateTime? ApprovedAt { get; init; }
        public DateTime? InForceOn { get; init; }
        public DateTime? ObsoleteOn { get; init; }

        public DocumentVersionRow ToRow() => new(Id, DocumentId, Version, DbNames.Parse<DocumentStatus>(Status), Body, ChangeReason,
            DraftedBy, DbTime.Utc(DraftedAt), ApprovedBy, ApprovedAt is { } a ? DbTime.Utc(a) : null,
            InForceOn is { } f ? DateOnly.FromDateTime(f) : null, ObsoleteOn is { } o ? DateOnly.FromDateTime(o) : null);
    }

    private const string DocColumns = """
        d.id AS Id, d.number AS Number, d.title AS Title, d.level AS Level, d.owner_org_id AS OwnerOrgId, o.name AS OwnerOrgName,
        d.owner_person AS OwnerPerson, d.created_at AS CreatedAt
        """;

    private const string VersionColumns = """
        id AS Id, document_id AS DocumentId, version AS Version, status AS Status, body AS Body, change_reason AS ChangeReason,
        drafted_by AS DraftedBy, drafted_at AS DraftedAt, approved_by AS ApprovedBy, approved_at AS ApprovedAt,
        in_force_on AS InForceOn, obsolete_on AS ObsoleteOn
        """;

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    /// <summary>
    /// The register, by level and number. <paramref name="search"/> matches the number, the title or the text of the
    /// version in force; <paramref name="inForceOnly"/> leaves out documents with no version in force (the readers' list).
    /// </summary>
    public async Task<IReadOnlyList<DocumentListRow>> ListAsync(string? search, bool inForceOnly, CancellationToken ct)
    {
        var like = search is null ? null : "%" + EscapeLike(search) + "%";
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<DocRow>(new CommandDefinition($"""
            SELECT {DocColumns}, f.version AS InForceVersion, f.in_force_on AS InForceOn,
                   l.version AS LatestVersion, l.status AS LatestStatus
            FROM documents d
            LEFT JOIN orgs o ON o.id = d.owner_org_id
            LEFT JOIN document_versions f ON f.in_force_document_id = d.id
            LEFT JOIN document_versions l ON l.document_id = d.id
                AND l.version = (SELECT MAX(x.version) FROM document_versions x WHERE x.document_id = d.id)
            WHERE (@inForceOnly = 0 OR f.id IS NOT NULL)
              AND (@like IS NULL OR CONVERT(d.number USING utf8mb4) LIKE @like OR d.title LIKE @like OR f.body LIKE @like)
            ORDER BY FIELD(d.level, 'manual', 'procedure', 'instruction', 'external'), d.number
            """, new { like, inForceOnly }, cancellationToken: ct));
        return rows.Select(r => new DocumentListRow(r.ToRow(), r.InForceVersion, r.InForceOn is { } f ? DateOnly.FromDateTime(f) : null,
            r.LatestVersion, r.LatestStatus is { } s ? DbNames.Parse<DocumentStatus>(s) : DocumentStatus.Draft)).ToList();
    }

    /// <summary>A document and its versions, oldest first.</summary>
    public async Task<(DocumentRow Document, IReadOnlyList<DocumentVersionRow> Versions)?> GetAsync(string number, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var doc = await conn.QuerySingleOrDefaultAsync<DocRow>(new CommandDefinition($"""
            SELECT {DocColumns} FROM documents d LEFT JOIN orgs o ON o.id = d.owner_org_id WHERE d.number = @number
            """, new { number }, cancellationToken: ct));
        if (doc is null)
            return null;
        return (doc.ToRow(), await VersionsAsync(conn, null, doc.Id, ct));
    }

    /// <summary>Locks a document's row for a change of its versions; null when there is no such document.</summary>
    public static async Task<DocumentRow?> LockAsync(DbConnection conn, DbTransaction tx, string number, CancellationToken ct) =>
        (await conn.QuerySingleOrDefaultAsync<DocRow>(new CommandDefinition($"""
            SELECT {DocColumns} FROM documents d LEFT JOIN orgs o ON o.id = d.owner_org_id WHERE d.number = @number FOR UPDATE
            """, new { number }, tx, cancellationToken: ct)))?.ToRow();

    public static async Task<IReadOnlyList<DocumentVersionRow>> VersionsAsync(DbConnection conn, DbTransaction? tx, long documentId,
        CancellationToken ct) =>
        (await conn.QueryAsync<VersionRow>(new CommandDefinition($"""
            SELECT {VersionColumns} FROM document_versions WHERE document_id = @documentId ORDER BY version
            """, new { documentId }, tx, cancellationToken: ct))).Select(r => r.ToRow()).ToList();

    /// <summary>Adds a document; false when its number is taken.</summary>
    public static async Task<long?> InsertAsync(DbConnection conn, DbTransaction tx, string number, string title, DocumentLevel level,
        long? ownerOrgId, string ownerPerson, DateTimeOffset now, CancellationToken ct)
    {
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT IGNORE INTO documents (number, title, level, owner_org_id, owner_person, created_at)
            VALUES (@number, @title, @level, @ownerOrgId, @ownerPerson, @now);
            SELECT IF(ROW_COUNT() = 1, LAST_INSERT_ID(), NULL);
            """, new { number, title, level = DbNames.Of(level), ownerOrgId, ownerPerson, now = now.UtcDateTime }, tx, cancellationToken: ct));
        return id;
    }

    public static Task<long> InsertVersionAsync(DbConnection conn, DbTransaction tx, NewDocumentVersion v, CancellationToken ct) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO document_versions (document_id, version, status, body, change_reason, drafted_by, drafted_by_member_id, drafted_at)
            VALUES (@DocumentId, @Version, 'draft', @Body, @ChangeReason, @DraftedBy, @DraftedByMemberId, @DraftedAt);
            SELECT LAST_INSERT_ID();
            """, new { v.DocumentId, v.Version, v.Body, v.ChangeReason, v.DraftedBy, v.DraftedByMemberId, DraftedAt = v.DraftedAt.UtcDateTime },
            tx, cancellationToken: ct));

    public static Task ApproveAsync(DbConnection conn, DbTransaction tx, long versionId, string by, long? byMemberId, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE document_versions SET status = 'approved', approved_by = @by, approved_by_member_id = @byMemberId, approved_at = @now
            WHERE id = @versionId
            """, new { versionId, by, byMemberId, now = now.UtcDateTime }, tx, cancellationToken: ct));

    /// <summary>Puts a version in force from <paramref name="on"/>; the caller has made the one before it obsolete first.</summary>
    public static Task PutInForceAsync(DbConnection conn, DbTransaction tx, long versionId, DateOnly on, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE document_versions SET status = 'in_force', in_force_on = @on, in_force_document_id = document_id WHERE id = @versionId
            """, new { versionId, on = on.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct));

    public static Task MakeObsoleteAsync(DbConnection conn, DbTransaction tx, long versionId, DateOnly on, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE document_versions SET status = 'obsolete', obsolete_on = @on, in_force_document_id = NULL WHERE id = @versionId
            """, new { versionId, on = on.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct));

    /// <summary>The organisations that may own a document: the subdistrict and its communities.</summary>
    public async Task<IReadOnlyList<(long Id, string Name)>> OwnerOrgsAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long, string)>(new CommandDefinition("""
            SELECT id, name FROM orgs WHERE kind IN ('subdistrict', 'community') AND dissolved_on IS NULL ORDER BY depth, sort_order, id
            """, cancellationToken: ct))).ToList();
    }

    // The clauses duties cite.

    public async Task<IReadOnlyDictionary<string, ClauseRef>> ClausesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Code, string Number, string Section)>(new CommandDefinition(
            "SELECT code, document_number, section FROM duty_clauses", cancellationToken: ct));
        return rows.ToDictionary(r => r.Code, r => new ClauseRef(r.Number, r.Section), StringComparer.Ordinal);
    }

    public async Task<ClauseRef?> ClauseAsync(string code, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string Number, string Section)?>(new CommandDefinition(
            "SELECT document_number, section FROM duty_clauses WHERE code = @code", new { code }, cancellationToken: ct));
        return row is { } r ? new ClauseRef(r.Number, r.Section) : null;
    }

    /// <summary>Sets (or with null clears) the clause a duty cites.</summary>
    public static Task SetClauseAsync(DbConnection conn, DbTransaction tx, string code, ClauseRef? clause, string by, DateTimeOffset now,
        CancellationToken ct) =>
        clause is null
            ? conn.ExecuteAsync(new CommandDefinition("DELETE FROM duty_clauses WHERE code = @code", new { code }, tx, cancellationToken: ct))
            : conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO duty_clauses (code, document_number, section, set_by, set_at) VALUES (@code, @number, @section, @by, @now)
                ON DUPLICATE KEY UPDATE document_number = VALUES(document_number), section = VALUES(section), set_by = VALUES(set_by),
                    set_at = VALUES(set_at)
                """, new { code, number = clause.Number, section = clause.Section, by, now = now.UtcDateTime }, tx, cancellationToken: ct));

    private static string EscapeLike(string s) =>
        s.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
