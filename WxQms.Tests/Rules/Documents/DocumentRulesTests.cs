using WxQms.Domain.Rules.Documents;
using WxQms.Domain.Services.Documents;

namespace WxQms.Tests.Rules.Documents;

/// <summary>The controlled documents' rules (#19 item 1): a version's states, numbers, clauses, the diff and the sanitised Markdown.</summary>
public sealed class DocumentRulesTests
{
    [Theory]
    [InlineData(DocumentStatus.Draft, DocumentAction.Approve, DocumentStatus.Approved)]
    [InlineData(DocumentStatus.Draft, DocumentAction.PutInForce, null)]          // never in force without approval
    [InlineData(DocumentStatus.Draft, DocumentAction.MakeObsolete, DocumentStatus.Obsolete)] // a draft withdrawn
    [InlineData(DocumentStatus.Approved, DocumentAction.Approve, null)]
    [InlineData(DocumentStatus.Approved, DocumentAction.PutInForce, DocumentStatus.InForce)]
    [InlineData(DocumentStatus.Approved, DocumentAction.MakeObsolete, DocumentStatus.Obsolete)]
    [InlineData(DocumentStatus.InForce, DocumentAction.Approve, null)]
    [InlineData(DocumentStatus.InForce, DocumentAction.PutInForce, null)]
    [InlineData(DocumentStatus.InForce, DocumentAction.MakeObsolete, DocumentStatus.Obsolete)] // repealed
    [InlineData(DocumentStatus.Obsolete, DocumentAction.Approve, null)]           // nothing leaves obsolete
    [InlineData(DocumentStatus.Obsolete, DocumentAction.PutInForce, null)]
    [InlineData(DocumentStatus.Obsolete, DocumentAction.MakeObsolete, null)]
    public void A_version_moves_draft_approved_in_force_obsolete(DocumentStatus from, DocumentAction action, DocumentStatus? to)
    {
        var (next, refusal) = DocumentRules.Apply(from, action);
        Assert.Equal(to, next);
        Assert.Equal(to is null, refusal is not null); // a refusal always says why, in Chinese
    }

    [Theory]
    [InlineData(DocumentStatus.InForce, true)] // exactly one in force: the one before goes
    [InlineData(DocumentStatus.Draft, false)]
    [InlineData(DocumentStatus.Approved, false)]
    [InlineData(DocumentStatus.Obsolete, false)]
    public void Putting_a_version_in_force_replaces_only_the_one_in_force(DocumentStatus other, bool replaced) =>
        Assert.Equal(replaced, DocumentRules.ReplacedOnPutInForce(other));

    [Theory]
    [InlineData("", true)]                         // the first version
    [InlineData("1:in_force", true)]
    [InlineData("1:obsolete,2:in_force", true)]
    [InlineData("1:in_force,2:draft", false)]      // a draft waits for approval
    [InlineData("1:in_force,2:approved", false)]   // an approved version waits to be put in force
    [InlineData("1:in_force,2:obsolete", true)]    // a withdrawn draft is out of the way
    public void A_new_draft_waits_for_the_pending_version(string existing, bool allowed)
    {
        var versions = existing.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => v.Split(':'))
            .Select(p => (int.Parse(p[0]), Enum.Parse<DocumentStatus>(p[1].Replace("_", ""), ignoreCase: true)));
        Assert.Equal(allowed, DocumentRules.CheckNewDraft(versions) is null);
    }

    [Theory]
    [InlineData("DFL-QM-01", true)]
    [InlineData("DFL-WI-05", true)]
    [InlineData("DFL-EX-02", true)]
    [InlineData("dfl-qm-01", false)]   // the service upper-cases first
    [InlineData("DFLQM01", false)]     // parts joined by hyphens
    [InlineData("DFL-QM-", false)]
    [InlineData("DFL QM 01", false)]
    [InlineData("", false)]
    [InlineData("DFL-QM-01234567890123456789012345", false)] // longer than 32
    public void A_number_is_capitals_and_digits_in_parts(string number, bool valid) =>
        Assert.Equal(valid, DocumentRules.CheckNumber(number) is null);

    [Theory]
    [InlineData(1, null, true)]        // the first version may say nothing (首次发布)
    [InlineData(2, null, false)]       // a revision says why
    [InlineData(2, "  ", false)]
    [InlineData(2, "增加请假补学要求", true)]
    public void A_revision_gives_its_reason(int version, string? reason, bool valid) =>
        Assert.Equal(valid, DocumentRules.CheckReason(reason, version) is null);

    [Theory]
    [InlineData("DFL-QP-03 §4.2", "DFL-QP-03", "4.2")]
    [InlineData("DFL-QP-03§4.2", "DFL-QP-03", "4.2")]
    [InlineData("dfl-qp-03 #4.2", "DFL-QP-03", "4.2")]
    [InlineData("DFL-QP-03 4", "DFL-QP-03", "4")]
    [InlineData("DFL-QP-03 4.2.1", "DFL-QP-03", "4.2.1")]
    [InlineData("DFL-QP-03", null, null)]     // no section
    [InlineData("§4.2", null, null)]          // no document
    [InlineData("DFL-QP-03 §四", null, null)]
    public void A_clause_is_a_number_and_a_section(string text, string? number, string? section)
    {
        var clause = DocumentRules.ParseClause(text);
        Assert.Equal(number, clause?.Number);
        Assert.Equal(section, clause?.Section);
    }

    [Fact]
    public void A_clause_links_to_its_section_in_the_reader() =>
        Assert.Equal("/h5/documents/DFL-QP-03#4.2", new ClauseRef("DFL-QP-03", "4.2").Href);

    [Theory]
    [InlineData("4.2 支部委员会会议", "4.2")]
    [InlineData("4 要求", "4")]
    [InlineData("4.2.1、议程", "4.2.1")]
    [InlineData("2021年度工作", null)]   // a year is no section
    [InlineData("第四章 运行", null)]
    [InlineData("目的", null)]
    public void A_heading_carries_its_section_number(string heading, string? section) =>
        Assert.Equal(section, DocumentRules.SectionOf(heading));

    [Fact]
    public void The_diff_shows_added_and_removed_lines_and_keeps_the_rest()
    {
        var lines = VersionDiff.Lines("# 程序\n## 1 目的\n会后7日内上传\n", "# 程序\n## 1 目的\n会后3日内上传\n照片须为当天拍摄");
        Assert.Equal(
        [
            (DiffKind.Same, "# 程序"), (DiffKind.Same, "## 1 目的"), (DiffKind.Removed, "会后7日内上传"), (DiffKind.Added, "会后3日内上传"),
            (DiffKind.Added, "照片须为当天拍摄"),
        ], lines.Select(l => (l.Kind, l.Text)));
    }

    [Fact]
    public void Headings_are_anchored_by_their_section_and_listed()
    {
        var doc = DocumentMarkdown.Render("# 组织生活管理程序\n\n## 4 要求\n\n### 4.2 支部委员会会议\n\n每月1次。\n\n## 附录\n");
        Assert.Contains("id=\"4.2\"", doc.Html);
        Assert.Equal(["h-1", "4", "4.2", "h-2"], doc.Sections.Select(s => s.Anchor));
        Assert.Equal("4.2 支部委员会会议", doc.Sections[2].Title);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("[点我](javascript:alert(1))")]
    [InlineData("[点我](JavaScript:alert(1))")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("<iframe src=\"https://example.com\"></iframe>")]
    public void No_script_and_no_javascript_link_comes_through(string markdown)
    {
        // Raw HTML shows as text (escaped); no element carries a script, a handler or a javascript: address.
        var html = DocumentMarkdown.Render("## 1 正文\n\n" + markdown).Html;
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"(?i)<[^>]*\son\w+\s*=", html);
        Assert.DoesNotMatch(@"(?i)<[^>]*(href|src)\s*=\s*""?\s*javascript:", html);
    }

    [Fact]
    public void Ordinary_markdown_and_links_stay()
    {
        var html = DocumentMarkdown.Render("## 1 依据\n\n见 **《中国共产党章程》**，[原文](https://www.12371.cn/)。\n\n| 项目 | 频次 |\n|---|---|\n| 党课 | 每季度 |\n").Html;
        Assert.Contains("<strong>《中国共产党章程》</strong>", html);
        Assert.Contains("href=\"https://www.12371.cn/\"", html);
        Assert.Contains("<table>", html);
    }
}
