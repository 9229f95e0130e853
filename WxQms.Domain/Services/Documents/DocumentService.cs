using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Documents;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Documents;

/// <summary>A new document as the console's form posts it, with its first version's text.</summary>
public sealed record DocumentInput(string? Number, string? Title, DocumentLevel? Level, long? OwnerOrgId, string? OwnerPerson, string? Body,
    string? ChangeReason);

/// <summary>A document with every version, oldest first, for the console.</summary>
public sealed record DocumentDetail(DocumentRow Document, IReadOnlyList<DocumentVersionRow> Versions)
{
    public DocumentVersionRow? InForce => Versions.LastOrDefault(v => v.Status == DocumentStatus.InForce);
}

/// <summary>A version as a reader sees it: rendered, with its table of contents, and whether it is still in force.</summary>
public sealed record DocumentReading(DocumentRow Document, DocumentVersionRow Version, RenderedDocument Rendered, int? InForceVersion)
{
    public bool Obsolete => Version.Status == DocumentStatus.Obsolete;
}

/// <summary>
/// The controlled documents (ISO 9001 7.5, #19 item 1): everyone reads the versions in force (and older ones, marked
/// obsolete); office staff register documents, write versions as drafts, approve them, put them in force (the version in
/// force before becomes obsolete) and make versions obsolete, each change one audit entry in its transaction; they also
/// set the clause each catalogue duty follows.
/// </summary>
public sealed class DocumentService(DocumentStore store, DutyService duties, TimeProvider clock)
{
    /// <summary>The register; readers (<paramref name="inForceOnly"/>) see only documents with a version in force.</summary>
    public Task<IReadOnlyList<DocumentListRow>> ListAsync(string? search, bool inForceOnly, CancellationToken ct) =>
        store.ListAsync(string.IsNullOrWhiteSpace(search) ? null : search.Trim(), inForceOnly, ct);

    public async Task<DocumentDetail> GetAsync(string number, CancellationToken ct) =>
        await store.GetAsync(number, ct) is { } found
            ? new DocumentDetail(found.Document, found.Versions)
            : throw new NotFoundException($"文件 {number} 不存在", "document.not_found");

    /// <summary>
    /// What a reader sees: the version in force, or with <paramref name="version"/> an older one (obsolete) or the one in
    /// force. Drafts and approved versions not yet in force are the office's alone: not found.
    /// </summary>
    public async Task<DocumentReading> ReadAsync(string number, int? version, CancellationToken ct)
    {
        var detail = await GetAsync(number, ct);
        var inForce = detail.InForce;
        var shown = version is { } v ? detail.Versions.FirstOrDefault(x => x.Version == v) : inForce;
        if (shown is null || shown.Status is DocumentStatus.Draft or DocumentStatus.Approved)
            throw new NotFoundException(version is null ? $"文件 {number} 尚无现行有效版本" : $"文件 {number} 没有第{version}版", "document.not_found");
        return new DocumentReading(detail.Document, shown, DocumentMarkdown.Render(shown.Body), inForce?.Version);
    }

    public Task<IReadOnlyList<(long Id, string Name)>> OwnerOrgsAsync(CancellationToken ct) => store.OwnerOrgsAsync(ct);

    /// <summary>Registers a document with its first version as a draft. Bad fields: <see cref="OrgInputException"/>.</summary>
    public async Task<string> CreateAsync(MemberEditor editor, DocumentInput input, CancellationToken ct)
    {
        EnsureStaff(editor.Grants);
        var number = input.Number?.Trim().ToUpperInvariant();
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(errors, "number", DocumentRules.CheckNumber(number));
        Add(errors, "title", DocumentRules.CheckTitle(input.Title));
        if (input.Level is null)
            errors["level"] = "请选择文件层级";
        Add(errors, "ownerPerson", DocumentRules.CheckOwner(input.OwnerPerson));
        Add(errors, "body", DocumentRules.CheckBody(input.Body));
        Add(errors, "changeReason", DocumentRules.CheckReason(input.ChangeReason, 1));
        if (input.OwnerOrgId is { } org && !(await store.OwnerOrgsAsync(ct)).Any(o => o.Id == org))
            errors["ownerOrgId"] = "请选择街道或社区党组织";
        if (errors.Count > 0)
            throw new OrgInputException(errors);
        var now = clock.GetUtcNow();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var id = await DocumentStore.InsertAsync(conn, tx, number!, input.Title!.Trim(), input.Level!.Value, input.OwnerOrgId,
                input.OwnerPerson!.Trim(), now, ct) ?? throw new OrgInputException(new Dictionary<string, string> { ["number"] = $"文件编号 {number} 已存在" });
            var reason = string.IsNullOrWhiteSpace(input.ChangeReason) ? "首次发布" : input.ChangeReason.Trim();
            await DocumentStore.InsertVersionAsync(conn, tx, new NewDocumentVersion(id, 1, input.Body!, reason, editor.Actor, editor.MemberId, now), ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "document.created", "document", id, null, editor.MemberId,
                new { number, title = input.Title!.Trim(), level = DbNames.Of(input.Level!.Value), version = 1 }), ct);
            return number!;
        }, ct);
    }

    /// <summary>Writes a new version as a draft (the document's pending version, if any, must be dealt with first).</summary>
    public async Task<int> DraftAsync(MemberEditor editor, string number, string? body, string? changeReason, CancellationToken ct)
    {
        EnsureStaff(editor.Grants);
        var now = clock.GetUtcNow();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var doc = await DocumentStore.LockAsync(conn, tx, number, ct) ?? throw new NotFoundException($"文件 {number} 不存在", "document.not_found");
            var versions = await DocumentStore.VersionsAsync(conn, tx, doc.Id, ct);
            var next = versions.Count == 0 ? 1 : versions[^1].Version + 1;
            var errors = new Dictionary<string, string>(StringComparer.Ordinal);
            Add(errors, "body", DocumentRules.CheckBody(body));
            Add(errors, "changeReason", DocumentRules.CheckReason(changeReason, next));
            if (errors.Count > 0)
                throw new OrgInputException(errors);
            if (DocumentRules.CheckNewDraft(versions.Select(v => (v.Version, v.Status))) is { } refusal)
                throw new RuleViolationException("document.pending_version", refusal);
            await DocumentStore.InsertVersionAsync(conn, tx, new NewDocumentVersion(doc.Id, next, body!, changeReason?.Trim() ?? "首次发布",
                editor.Actor, editor.MemberId, now), ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "document.drafted", "document", doc.Id, null, editor.MemberId,
                new { number = doc.Number, version = next, changeReason = changeReason?.Trim() }), ct);
            return next;
        }, ct);
    }

    /// <summary>
    /// Approves a draft, puts an approved version in force from today (the version in force before becomes obsolete in
    /// the same transaction) or makes a version obsolete.
    /// </summary>
    public async Task<DocumentStatus> ActAsync(MemberEditor editor, string number, int version, DocumentAction action, CancellationToken ct)
    {
        EnsureStaff(editor.Grants);
        var now = clock.GetUtcNow();
        var today = Periods.LocalDate(now);
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var doc = await DocumentStore.LockAsync(conn, tx, number, ct) ?? throw new NotFoundException($"文件 {number} 不存在", "document.not_found");
            var versions = await DocumentStore.VersionsAsync(conn, tx, doc.Id, ct);
            var target = versions.FirstOrDefault(v => v.Version == version)
                ?? throw new NotFoundException($"文件 {number} 没有第{version}版", "document.version_not_found");
            var (next, refusal) = DocumentRules.Apply(target.Status, action);
            if (next is not { } status)
                throw new RuleViolationException("document.transition", refusal!);
            int? replaced = null;
            switch (action)
            {
                case DocumentAction.Approve:
                    await DocumentStore.ApproveAsync(conn, tx, target.Id, editor.Actor, editor.MemberId, now, ct);
                    break;
                case DocumentAction.PutInForce:
                    foreach (var before in versions.Where(v => v.Id != target.Id && DocumentRules.ReplacedOnPutInForce(v.Status)))
                    {
                        await DocumentStore.MakeObsoleteAsync(conn, tx, before.Id, today, ct);
                        replaced = before.Version;
                    }
                    await DocumentStore.PutInForceAsync(conn, tx, target.Id, today, ct);
                    break;
                default:
                    await DocumentStore.MakeObsoleteAsync(conn, tx, target.Id, today, ct);
                    break;
            }
            var auditAction = action switch
            {
                DocumentAction.Approve => "document.approved",
                DocumentAction.PutInForce => "document.in_force",
                _ => "document.obsolete",
            };
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, auditAction, "document", doc.Id, null, editor.MemberId,
                new { number = doc.Number, version, replaced }), ct);
            return status;
        }, ct);
    }

    /// <summary>The readable diff between two versions of a document.</summary>
    public async Task<(DocumentDetail Detail, DocumentVersionRow From, DocumentVersionRow To, IReadOnlyList<DiffLine> Lines)> DiffAsync(
        string number, int from, int to, CancellationToken ct)
    {
        var detail = await GetAsync(number, ct);
        var a = detail.Versions.FirstOrDefault(v => v.Version == from) ?? throw new NotFoundException($"文件 {number} 没有第{from}版", "document.version_not_found");
        var b = detail.Versions.FirstOrDefault(v => v.Version == to) ?? throw new NotFoundException($"文件 {number} 没有第{to}版", "document.version_not_found");
        return (detail, a, b, VersionDiff.Lines(a.Body, b.Body));
    }

    // The clauses catalogue duties cite.

    public Task<IReadOnlyDictionary<string, ClauseRef>> ClausesAsync(CancellationToken ct) => store.ClausesAsync(ct);

    public Task<ClauseRef?> ClauseAsync(string dutyCode, CancellationToken ct) => store.ClauseAsync(dutyCode, ct);

    /// <summary>
    /// Sets the clause a duty follows (office staff): the document must exist and its version in force must have the
    /// section. Blank clears it. Bad input: <see cref="OrgInputException"/> on <c>clause</c>.
    /// </summary>
    public async Task SetClauseAsync(MemberEditor editor, string dutyCode, string? clauseText, CancellationToken ct)
    {
        EnsureStaff(editor.Grants);
        await duties.GetAsync(dutyCode, ct); // 404 for an unknown duty
        ClauseRef? clause = null;
        if (!string.IsNullOrWhiteSpace(clauseText))
        {
            clause = DocumentRules.ParseClause(clauseText) ?? throw Bad("条款应写作“文件编号 §条款号”，例如 DFL-QP-03 §4.2");
            var found = await store.GetAsync(clause.Number, ct) ?? throw Bad($"文件 {clause.Number} 不存在");
            var inForce = found.Versions.LastOrDefault(v => v.Status == DocumentStatus.InForce) ?? throw Bad($"文件 {clause.Number} 尚无现行有效版本");
            if (!DocumentMarkdown.SectionNumbers(inForce.Body).Contains(clause.Section))
                throw Bad($"{clause.Number} 现行版本中没有第 {clause.Section} 条");
        }
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            await DocumentStore.SetClauseAsync(conn, tx, dutyCode, clause, editor.Actor, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "duty.clause_set", "duty", null, null, editor.MemberId,
                new { code = dutyCode, clause = clause?.Label }), ct);
            return 0;
        }, ct);
    }

    private static OrgInputException Bad(string message) => new(new Dictionary<string, string> { ["clause"] = message });

    public static void EnsureStaff(IReadOnlyList<Grant> grants)
    {
        if (!grants.Any(g => g.Role == Roles.Staff))
            throw new ForbiddenException("auth.forbidden", "受控文件由街道党建办维护");
    }

    private static void Add(Dictionary<string, string> errors, string field, string? error)
    {
        if (error is not null)
            errors[field] = error;
    }
}
