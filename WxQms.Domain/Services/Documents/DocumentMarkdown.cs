using System.Text;
using Ganss.Xss;
using Markdig;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using WxQms.Domain.Rules.Documents;

namespace WxQms.Domain.Services.Documents;

/// <summary>A heading of a document: its anchor (the section number, as a clause cites it), number, title and depth.</summary>
public sealed record DocumentSection(string Anchor, string? Number, string Title, int Depth);

/// <summary>A version's Markdown as HTML the pages can show, with its table of contents.</summary>
public sealed record RenderedDocument(string Html, IReadOnlyList<DocumentSection> Sections);

/// <summary>
/// A version's Markdown rendered with Markdig (pipe tables; raw HTML is not passed through, it shows as text) and then
/// sanitised with HtmlSanitizer, so no script, event handler or <c>javascript:</c> link reaches a reader whatever an
/// author wrote. Each heading gets an id: its section number when it starts with one ("4.2 会前准备" → <c>id="4.2"</c>,
/// so DFL-QP-03 §4.2 links to <c>/h5/documents/DFL-QP-03#4.2</c>), else <c>h-n</c>.
/// </summary>
public static class DocumentMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    private static HtmlSanitizer CreateSanitizer()
    {
        var s = new HtmlSanitizer();
        s.AllowedAttributes.Add("id");
        s.AllowedSchemes.Clear();
        s.AllowedSchemes.Add("http");
        s.AllowedSchemes.Add("https");
        s.AllowedSchemes.Add("mailto");
        return s;
    }

    public static RenderedDocument Render(string markdown)
    {
        var doc = Markdown.Parse(markdown, Pipeline);
        var sections = new List<DocumentSection>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var n = 0;
        foreach (var heading in doc.Descendants<HeadingBlock>())
        {
            var title = Text(heading.Inline);
            var number = DocumentRules.SectionOf(title);
            var anchor = number is not null && used.Add(number) ? number : $"h-{++n}";
            used.Add(anchor);
            heading.GetAttributes().Id = anchor;
            sections.Add(new DocumentSection(anchor, number, title, heading.Level));
        }
        var html = doc.ToHtml(Pipeline);
        return new RenderedDocument(Sanitizer.Sanitize(html), sections);
    }

    /// <summary>The section numbers a version's headings carry (the clauses a duty may cite).</summary>
    public static IReadOnlySet<string> SectionNumbers(string markdown) =>
        Render(markdown).Sections.Where(s => s.Number is not null).Select(s => s.Number!).ToHashSet(StringComparer.Ordinal);

    private static string Text(ContainerInline? inline)
    {
        var sb = new StringBuilder();
        if (inline is null)
            return "";
        foreach (var child in inline.Descendants<LiteralInline>())
            sb.Append(child.Content.ToString());
        foreach (var code in inline.Descendants<CodeInline>())
            sb.Append(code.Content);
        return sb.ToString().Trim();
    }
}
