using System.Text.RegularExpressions;

namespace WxQms.Domain.Rules.Documents;

/// <summary>The register's levels: the three levels of the system's own documents, and the regulations they rest on.</summary>
public enum DocumentLevel
{
    /// <summary>质量手册</summary>
    Manual,
    /// <summary>程序文件</summary>
    Procedure,
    /// <summary>工作规范</summary>
    Instruction,
    /// <summary>外来文件: the party's regulations the system follows.</summary>
    External,
}

/// <summary>A version's life: written as a draft, approved, put in force, made obsolete.</summary>
public enum DocumentStatus
{
    Draft,
    Approved,
    InForce,
    Obsolete,
}

/// <summary>What office staff do to a version.</summary>
public enum DocumentAction
{
    Approve,
    PutInForce,
    MakeObsolete,
}

/// <summary>A clause a duty follows: a document's number and a section of it (DFL-QP-03 §4.2).</summary>
public sealed record ClauseRef(string Number, string Section)
{
    public string Label => $"{Number} §{Section}";

    /// <summary>The reader's link to the section.</summary>
    public string Href => $"/h5/documents/{Uri.EscapeDataString(Number)}#{Section}";
}

/// <summary>
/// The controlled documents' rules (ISO 9001 7.5): how a version moves (<see cref="Apply"/>), when a new version may be
/// written, what a number, a title and a section look like. Pure: the service applies them inside its transaction.
/// </summary>
public static partial class DocumentRules
{
    public const int NumberLength = 32;
    public const int TitleLength = 100;
    public const int OwnerLength = 32;
    public const int ReasonLength = 500;
    public const int BodyLength = 200_000;

    public static readonly IReadOnlyList<DocumentLevel> Levels =
        [DocumentLevel.Manual, DocumentLevel.Procedure, DocumentLevel.Instruction, DocumentLevel.External];

    public static string Label(DocumentLevel level) => level switch
    {
        DocumentLevel.Manual => "质量手册",
        DocumentLevel.Procedure => "程序文件",
        DocumentLevel.Instruction => "工作规范",
        _ => "外来文件",
    };

    public static string Label(DocumentStatus status) => status switch
    {
        DocumentStatus.Draft => "草稿（待批准）",
        DocumentStatus.Approved => "已批准（待发布）",
        DocumentStatus.InForce => "现行有效",
        _ => "已作废",
    };

    public static string Label(DocumentAction action) => action switch
    {
        DocumentAction.Approve => "批准",
        DocumentAction.PutInForce => "发布实施",
        _ => "作废",
    };

    /// <summary>
    /// The status a version moves to, or why it may not: a draft is approved, an approved version is put in force (the
    /// one in force before it then becomes obsolete: <see cref="ReplacedOnPutInForce"/>), and any version not yet obsolete
    /// may be made obsolete (a draft withdrawn, a version in force repealed). Nothing leaves obsolete.
    /// </summary>
    public static (DocumentStatus? Next, string? Refusal) Apply(DocumentStatus from, DocumentAction action) => (from, action) switch
    {
        (DocumentStatus.Draft, DocumentAction.Approve) => (DocumentStatus.Approved, null),
        (DocumentStatus.Approved, DocumentAction.PutInForce) => (DocumentStatus.InForce, null),
        (not DocumentStatus.Obsolete, DocumentAction.MakeObsolete) => (DocumentStatus.Obsolete, null),
        (DocumentStatus.Obsolete, _) => (null, "该版本已作废，不能再变更"),
        (DocumentStatus.Draft, DocumentAction.PutInForce) => (null, "草稿须先经批准才能发布实施"),
        (DocumentStatus.Approved, DocumentAction.Approve) => (null, "该版本已批准"),
        (DocumentStatus.InForce, DocumentAction.Approve) or (DocumentStatus.InForce, DocumentAction.PutInForce) => (null, "该版本已在实施中"),
        _ => (null, "该版本当前状态下不能执行此操作"),
    };

    /// <summary>Putting a version in force makes the document's version in force before it obsolete: exactly one in force.</summary>
    public static bool ReplacedOnPutInForce(DocumentStatus other) => other == DocumentStatus.InForce;

    /// <summary>A new draft waits until the document's pending one (a draft or an approved version) is in force or withdrawn.</summary>
    public static string? CheckNewDraft(IEnumerable<(int Version, DocumentStatus Status)> existing) =>
        existing.FirstOrDefault(v => v.Status is DocumentStatus.Draft or DocumentStatus.Approved) is { Version: > 0 } pending
            ? $"第{pending.Version}版尚待{(pending.Status == DocumentStatus.Draft ? "批准" : "发布实施")}，请先处理该版本或将其作废"
            : null;

    /// <summary>A number such as DFL-QM-01 or DFL-WI-05: capital letters and digits in two or more parts joined by hyphens.</summary>
    public static string? CheckNumber(string? number) =>
        string.IsNullOrWhiteSpace(number) ? "请填写文件编号"
        : number.Length > NumberLength ? $"文件编号不超过{NumberLength}个字符"
        : !NumberPattern().IsMatch(number) ? "文件编号由大写字母和数字组成，各段以“-”连接，例如 DFL-QP-03"
        : null;

    public static string? CheckTitle(string? title) =>
        string.IsNullOrWhiteSpace(title) ? "请填写文件名称" : title.Trim().Length > TitleLength ? $"文件名称不超过{TitleLength}字" : null;

    public static string? CheckOwner(string? owner) =>
        string.IsNullOrWhiteSpace(owner) ? "请填写责任人" : owner.Trim().Length > OwnerLength ? $"责任人不超过{OwnerLength}字" : null;

    public static string? CheckBody(string? body) =>
        string.IsNullOrWhiteSpace(body) ? "请填写正文" : body.Length > BodyLength ? $"正文不超过{BodyLength}字" : null;

    /// <summary>The reason for the change: required from the second version on (the first may say nothing; it is 首次发布).</summary>
    public static string? CheckReason(string? reason, int version) =>
        version > 1 && string.IsNullOrWhiteSpace(reason) ? "请填写修订原因"
        : reason is not null && reason.Trim().Length > ReasonLength ? $"修订原因不超过{ReasonLength}字"
        : null;

    /// <summary>A section number as a clause cites it: 4, 4.2, 4.2.1.</summary>
    public static string? CheckSection(string? section) =>
        string.IsNullOrWhiteSpace(section) ? "请填写条款号"
        : !SectionPattern().IsMatch(section) ? "条款号应为数字，以“.”分级，例如 4.2"
        : null;

    /// <summary>The section number a heading starts with ("4.2 会前准备" → "4.2"; "第四章" → none).</summary>
    public static string? SectionOf(string heading)
    {
        var m = HeadingNumberPattern().Match(heading.TrimStart());
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>Reads a clause as a person writes it: "DFL-QP-03 §4.2", "DFL-QP-03#4.2" or "DFL-QP-03 4.2".</summary>
    public static ClauseRef? ParseClause(string? text)
    {
        var m = ClausePattern().Match(text?.Trim() ?? "");
        return m.Success ? new ClauseRef(m.Groups[1].Value.ToUpperInvariant(), m.Groups[2].Value) : null;
    }

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){0,3}$")]
    private static partial Regex SectionPattern();

    [GeneratedRegex(@"^(\d{1,3}(?:\.\d{1,3}){0,3})(?:\s|$|[\u3000、．.])")]
    private static partial Regex HeadingNumberPattern();

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+)\s*(?:§|#|\s)\s*(\d{1,3}(?:\.\d{1,3}){0,3})$")]
    private static partial Regex ClausePattern();
}
