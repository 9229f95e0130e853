using System.Text.Json;
using System.Text.RegularExpressions;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Architecture;

/// <summary>
/// Every mini-program page the server sends a user to — the page of an official-account or subscription notice in
/// the outbox, a bot's link — and every page the mini program navigates to is one the mini program declares in its
/// app.json; a page that is not there opens blank on the phone.
/// </summary>
public sealed partial class MiniProgramPagesTests
{
    [Fact]
    public void Every_page_the_server_sends_a_user_to_is_declared_in_app_json()
    {
        var pages = DeclaredPages();
        var used = Uses(["WxQms.Domain", "WxQms.Api", "WxQms.Jobs", "WxQms.Sandbox"], "*.cs", ServerPage());
        Assert.NotEmpty(used);
        Assert.Empty(used.Where(u => !pages.Contains(u.Page)).Select(u => $"{u.Where}: {u.Page}"));
    }

    [Fact]
    public void Every_page_the_mini_program_navigates_to_is_declared_in_app_json()
    {
        var pages = DeclaredPages();
        var used = Uses(["miniprogram/pages", "miniprogram/components"], "*.js", ClientPage());
        Assert.NotEmpty(used);
        Assert.Empty(used.Where(u => !pages.Contains(u.Page)).Select(u => $"{u.Where}: {u.Page}"));
    }

    private static HashSet<string> DeclaredPages() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot(), "miniprogram", "app.json"))).RootElement
            .GetProperty("pages").EnumerateArray().Select(p => p.GetString()!).ToHashSet(StringComparer.Ordinal);

    private static List<(string Where, string Page)> Uses(string[] folders, string pattern, Regex page)
    {
        var root = TestEnvironment.RepoRoot();
        return folders.Select(f => Path.Combine(root, f)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, pattern, SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains("node_modules", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .SelectMany(x => page.Matches(x.line).Select(m =>
                ($"{Path.GetRelativePath(root, x.f)}:{x.i + 1}", m.Groups["page"].Value)))
            .ToList();
    }

    /// <summary>A string literal (plain or interpolated) that starts with a page path: "pages/x/y…".</summary>
    [GeneratedRegex("\"(?<page>pages/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+)")]
    private static partial Regex ServerPage();

    /// <summary>A url the mini program opens: '/pages/x/y…' or `/pages/x/y…`.</summary>
    [GeneratedRegex("['\"`]/(?<page>pages/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+)")]
    private static partial Regex ClientPage();
}
