using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace WxQms.Domain.Rules.Documents;

public enum DiffKind
{
    Same,
    Added,
    Removed,
}

/// <summary>One line of a diff between two versions' Markdown.</summary>
public sealed record DiffLine(DiffKind Kind, string Text);

/// <summary>The readable diff between two versions: line by line (DiffPlex), each line kept, added or removed.</summary>
public static class VersionDiff
{
    public static IReadOnlyList<DiffLine> Lines(string older, string newer)
    {
        var model = InlineDiffBuilder.Diff(Normalise(older), Normalise(newer), ignoreWhiteSpace: false);
        return model.Lines.Where(l => l.Type != ChangeType.Imaginary).Select(l => new DiffLine(l.Type switch
        {
            ChangeType.Inserted => DiffKind.Added,
            ChangeType.Deleted => DiffKind.Removed,
            _ => DiffKind.Same,
        }, l.Text ?? "")).ToList();
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
}
