using System.Globalization;

namespace WxQms.Domain.Rules;

/// <summary>
/// Materialised paths of the org tree: '/1/5/23/' lists the ids from the root down to the org
/// itself. A subtree is every path that starts with the ancestor's path, which the database answers
/// with one range scan on an index.
/// </summary>
public static class OrgPath
{
    public const string Root = "/";

    public static string Child(string parentPath, long id)
    {
        if (!IsValid(parentPath))
            throw new ArgumentException($"'{parentPath}' is not an org path", nameof(parentPath));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(id);
        return $"{parentPath}{id}/";
    }

    /// <summary>The LIKE pattern for the subtree rooted at <paramref name="path"/>, the root included.</summary>
    public static string SubtreePattern(string path) => IsValid(path)
        ? path + "%"
        : throw new ArgumentException($"'{path}' is not an org path", nameof(path));

    public static bool IsWithin(string path, string ancestorPath) =>
        IsValid(path) && IsValid(ancestorPath) && path.StartsWith(ancestorPath, StringComparison.Ordinal);

    public static IReadOnlyList<long> Ids(string path)
    {
        if (!IsValid(path))
            throw new ArgumentException($"'{path}' is not an org path", nameof(path));
        return path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
    }

    /// <summary>
    /// The id <paramref name="index"/> steps below the root ('/1/5/23/': 0 → 1, 2 → 23), or null when the
    /// path is not that deep. Reads the path in place, for callers on a hot path.
    /// </summary>
    public static long? IdAt(string path, int index)
    {
        if (!IsValid(path))
            throw new ArgumentException($"'{path}' is not an org path", nameof(path));
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rest = path.AsSpan(1);
        for (; !rest.IsEmpty; index--)
        {
            var end = rest.IndexOf('/');
            if (index == 0)
                return long.Parse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture);
            rest = rest[(end + 1)..];
        }
        return null;
    }

    public static int Depth(string path) => Ids(path).Count - 1;

    /// <summary>The deepest org whose subtree holds every one of <paramref name="paths"/> (Root when they share none).</summary>
    public static string CommonAncestor(IEnumerable<string> paths)
    {
        string? common = null;
        foreach (var path in paths)
        {
            if (!IsValid(path))
                throw new ArgumentException($"'{path}' is not an org path", nameof(paths));
            if (common is null)
            {
                common = path;
                continue;
            }
            var i = 0;
            while (i < common.Length && i < path.Length && common[i] == path[i])
                i++;
            // Back to the last '/' both share, so '/1/5/' and '/1/52/' meet at '/1/'.
            common = common[..(common.LastIndexOf('/', Math.Max(i - 1, 0)) + 1)];
        }
        return common ?? Root;
    }

    public static bool IsValid(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/' || path[^1] != '/')
            return false;
        if (path.Length == 1)
            return true;
        // Checked on every authorised request (grants, scopes), so without allocating.
        var ids = path.AsSpan(1, path.Length - 2);
        foreach (var range in ids.Split('/'))
        {
            var segment = ids[range];
            if (segment.Length == 0 || segment[0] == '0' || segment.ContainsAnyExceptInRange('0', '9')
                || !long.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                return false;
        }
        return true;
    }
}
