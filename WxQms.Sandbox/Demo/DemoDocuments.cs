using Dapper;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Documents;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Documents;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>What the demo's documents wrote.</summary>
public sealed record DemoDocumentsResult(int Documents, int Versions, int Clauses);

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): the controlled documents (<see cref="DemoDocumentTexts"/>) registered by the
/// office through <see cref="DocumentService"/>, so each step has its audit entry: every document approved and in force;
/// the manual in its second version (the first obsolete, with the reason for the change); the procedure on organisational
/// life with a second version drafted and awaiting approval; the catalogue's duties citing their clauses. The dates in
/// force are set back to the start of the year (the manual's second version from the first of this month). Runs once: a
/// register that holds a document is left as it is.
/// </summary>
public sealed class DemoDocuments(MySqlDataSource db, DocumentService documents, TimeProvider clock, ILogger<DemoDocuments> log)
{
    public async Task<DemoDocumentsResult> PostAsync(CancellationToken ct)
    {
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            if (await conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM documents)", cancellationToken: ct)))
                return new DemoDocumentsResult(0, 0, 0);
        }
        var office = await OfficeAsync(ct);
        if (office is null)
            return new DemoDocumentsResult(0, 0, 0);
        var (editor, officeId) = office.Value;
        var versions = 0;
        async Task RegisterAsync(string number, string title, DocumentLevel level, string owner, string body, bool inForce = true)
        {
            await documents.CreateAsync(editor, new DocumentInput(number, title, level, officeId, owner, body, null), ct);
            versions++;
            if (!inForce)
                return;
            await documents.ActAsync(editor, number, 1, DocumentAction.Approve, ct);
            await documents.ActAsync(editor, number, 1, DocumentAction.PutInForce, ct);
        }
        async Task ReviseAsync(string number, string body, string reason, bool inForce)
        {
            var v = await documents.DraftAsync(editor, number, body, reason, ct);
            versions++;
            if (!inForce)
                return;
            await documents.ActAsync(editor, number, v, DocumentAction.Approve, ct);
            await documents.ActAsync(editor, number, v, DocumentAction.PutInForce, ct);
        }

        await RegisterAsync("DFL-QM-01", "党建质量管理手册", DocumentLevel.Manual, "街道党工委", DemoDocumentTexts.ManualV1);
        await ReviseAsync("DFL-QM-01", DemoDocumentTexts.ManualV2,
            "增设巡查员职责（3.4），明确自查自纠和纠正措施的要求（5.1、5.2），职责须注明所依据的文件条款", inForce: true);
        await RegisterAsync("DFL-QP-01", "文件控制程序", DocumentLevel.Procedure, "街道党建办", DemoDocumentTexts.ControlV1);
        await RegisterAsync("DFL-QP-02", "内部检查与自查自纠程序", DocumentLevel.Procedure, "街道党建办", DemoDocumentTexts.InspectionV1);
        await RegisterAsync("DFL-QP-03", "组织生活管理程序", DocumentLevel.Procedure, "街道党建办", DemoDocumentTexts.OrgLifeV1);
        await ReviseAsync("DFL-QP-03", DemoDocumentTexts.OrgLifeV2Draft,
            "根据上季度巡查发现的请假补学不落实、佐证上传滞后问题，补充请假补学要求（4.1），上传时限由7日缩短为3日（5）", inForce: false);
        foreach (var d in DemoDocumentTexts.Instructions.Concat(DemoDocumentTexts.External))
            await RegisterAsync(d.Number, d.Title, d.Level, d.Owner, d.Body);
        foreach (var (code, clause) in DemoDocumentTexts.DutyClauses)
            await documents.SetClauseAsync(editor, code, clause, ct);

        await BackdateAsync(ct);
        var count = 1 + 3 + DemoDocumentTexts.Instructions.Length + DemoDocumentTexts.External.Length;
        log.LogInformation("Demo documents: {Documents} documents, {Versions} versions, {Clauses} duties citing a clause", count, versions,
            DemoDocumentTexts.DutyClauses.Length);
        return new DemoDocumentsResult(count, versions, DemoDocumentTexts.DutyClauses.Length);
    }

    private async Task<(MemberEditor Editor, long OfficeId)?> OfficeAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QueryFirstOrDefaultAsync<(long MemberId, long OrgId, string Path)?>(new CommandDefinition("""
            SELECT r.member_id, o.id, o.path FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'staff' AND o.kind = 'subdistrict' ORDER BY r.member_id LIMIT 1
            """, cancellationToken: ct));
        if (row is not { } r)
            return null;
        return (new MemberEditor([new Grant(Roles.Staff, r.OrgId, r.Path, OrgKind.Subdistrict)], r.MemberId, $"member:{r.MemberId}"), r.OrgId);
    }

    /// <summary>The register was in use from the start of the year; the manual's second version since the first of the month.</summary>
    private async Task BackdateAsync(CancellationToken ct)
    {
        var today = Periods.LocalDate(clock.GetUtcNow());
        var yearStart = new DateOnly(today.Year, 1, 1);
        var monthStart = new DateOnly(today.Year, today.Month, 1);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE document_versions v JOIN documents d ON d.id = v.document_id
            SET v.in_force_on = CASE WHEN d.number = 'DFL-QM-01' AND v.version = 2 THEN @monthStart ELSE @yearStart END,
                v.obsolete_on = CASE WHEN v.obsolete_on IS NULL THEN NULL ELSE @monthStart END
            WHERE v.in_force_on IS NOT NULL
            """, new { yearStart = yearStart.ToDateTime(TimeOnly.MinValue), monthStart = monthStart.ToDateTime(TimeOnly.MinValue) },
            cancellationToken: ct));
    }
}
