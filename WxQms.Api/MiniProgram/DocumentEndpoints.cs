using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Documents;
using WxQms.Domain.Services.Documents;
using WxQms.Domain.Storage;

namespace WxQms.Api.MiniProgram;

/// <summary>A document in the readers' list: its version in force and the reader's link.</summary>
public sealed record DocumentSummaryDto(string Number, string Title, DocumentLevel Level, string LevelLabel, string? OwnerOrg, string OwnerPerson,
    int? Version, DateOnly? InForceOn, string Url)
{
    public static DocumentSummaryDto From(DocumentListRow r) => new(r.Document.Number, r.Document.Title, r.Document.Level,
        DocumentRules.Label(r.Document.Level), r.Document.OwnerOrgName, r.Document.OwnerPerson, r.InForceVersion, r.InForceOn,
        DocumentPaths.Reader(r.Document.Number));
}

/// <summary>
/// One version as a reader sees it: <see cref="Html"/> is rendered and sanitised (for a rich-text view), <see cref="Sections"/>
/// its table of contents (anchors are the section numbers). <see cref="Obsolete"/> marks a version no longer in force.
/// </summary>
public sealed record DocumentDto(string Number, string Title, DocumentLevel Level, string LevelLabel, string? OwnerOrg, string OwnerPerson,
    int Version, string Status, string StatusLabel, bool Obsolete, int? InForceVersion, DateOnly? InForceOn, DateOnly? ObsoleteOn,
    string? ApprovedBy, string ChangeReason, string Markdown, string Html, IReadOnlyList<DocumentSection> Sections, string Url)
{
    public static DocumentDto From(DocumentReading r) => new(r.Document.Number, r.Document.Title, r.Document.Level,
        DocumentRules.Label(r.Document.Level), r.Document.OwnerOrgName, r.Document.OwnerPerson, r.Version.Version, DbNames.Of(r.Version.Status),
        DocumentRules.Label(r.Version.Status), r.Obsolete, r.InForceVersion, r.Version.InForceOn, r.Version.ObsoleteOn, r.Version.ApprovedBy,
        r.Version.ChangeReason, r.Version.Body, r.Rendered.Html, r.Rendered.Sections, DocumentPaths.Reader(r.Document.Number));
}

/// <summary>The clause a duty (and so its tasks) follows, with the reader's link to the section.</summary>
public sealed record ClauseDto(string Number, string Section, string Label, string Url)
{
    public static ClauseDto? From(ClauseRef? c) => c is null ? null : new(c.Number, c.Section, c.Label, c.Href);
}

public static class DocumentPaths
{
    public static string Reader(string number) => "/h5/documents/" + Uri.EscapeDataString(number);
}

/// <summary>The controlled documents in the mini program: the list (search by number, title or text) and one document.</summary>
public static class DocumentEndpoints
{
    public static IEndpointRouteBuilder MapMpDocuments(this IEndpointRouteBuilder app)
    {
        var mp = app.MapGroup("/api/mp").WithTags("Mini program: documents").RequireAuthorization(MpAuth.Policy);
        mp.MapGet("/documents", async (string? q, CurrentUser user, DocumentService documents, CancellationToken ct) =>
            {
                EnsureMember(user);
                return TypedResults.Ok((await documents.ListAsync(q, inForceOnly: true, ct)).Select(DocumentSummaryDto.From).ToList());
            })
            .WithSummary("The documents in force (手册, 程序文件, 工作规范, 外来文件), by level and number; q searches number, title and text");
        mp.MapGet("/documents/{number}", async (string number, int? version, CurrentUser user, DocumentService documents, CancellationToken ct) =>
            {
                EnsureMember(user);
                return TypedResults.Ok(DocumentDto.From(await documents.ReadAsync(number, version, ct)));
            })
            .WithSummary("A document's version in force, or with ?version= an older one (marked obsolete), rendered, with its sections");
        return app;
    }

    /// <summary>The documents are the party members' (as on the H5 reader): a WeChat user not bound to a member is refused.</summary>
    private static void EnsureMember(CurrentUser user)
    {
        if (user.MemberId is null)
            throw new ForbiddenException("auth.not_bound", "请先绑定党员身份");
    }
}
