using WxQms.Domain.Model;

namespace WxQms.Domain.Rules;

public sealed record OrgTreeNode(
    long Id,
    string Code,
    string Name,
    OrgKind Kind,
    string KindLabel,
    int MemberCount,
    int TotalMemberCount,
    IReadOnlyList<OrgTreeNode> Children);

public static class OrgTree
{
    /// <summary>
    /// Nests the flat rows of one subtree under <paramref name="rootId"/>. Children keep their sort
    /// order; <c>MemberCount</c> counts members placed directly in an org and
    /// <c>TotalMemberCount</c> everyone in its subtree.
    /// </summary>
    public static OrgTreeNode Build(long rootId, IEnumerable<Org> subtree, IReadOnlyDictionary<long, int> directMemberCounts)
    {
        var orgs = subtree.ToDictionary(o => o.Id);
        if (!orgs.TryGetValue(rootId, out var root))
            throw new ArgumentException($"org {rootId} is not in the given subtree", nameof(subtree));

        var children = orgs.Values
            .Where(o => o.Id != rootId && o.ParentId is not null)
            .GroupBy(o => o.ParentId!.Value)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.SortOrder).ThenBy(o => o.Id).ToList());

        OrgTreeNode Node(Org org)
        {
            var kids = children.TryGetValue(org.Id, out var list) ? list.Select(Node).ToArray() : [];
            var direct = directMemberCounts.GetValueOrDefault(org.Id);
            return new OrgTreeNode(org.Id, org.Code, org.Name, org.Kind, KindLabel(org.Kind),
                direct, direct + kids.Sum(k => k.TotalMemberCount), kids);
        }

        return Node(root);
    }

    public static IEnumerable<OrgTreeNode> Flatten(OrgTreeNode node) =>
        node.Children.SelectMany(Flatten).Prepend(node);

    public static string KindLabel(OrgKind kind) => kind switch
    {
        OrgKind.Subdistrict => "街道党工委",
        OrgKind.CommunityCommittee => "社区党委",
        OrgKind.GeneralBranch => "党总支",
        OrgKind.Branch => "党支部",
        OrgKind.PartyGroup => "党小组",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Which kinds may sit directly under which (DUTIES.md A.1).</summary>
    public static bool CanContain(OrgKind parent, OrgKind child) => (parent, child) switch
    {
        (OrgKind.Subdistrict, OrgKind.CommunityCommittee or OrgKind.GeneralBranch or OrgKind.Branch) => true,
        (OrgKind.CommunityCommittee, OrgKind.GeneralBranch or OrgKind.Branch) => true,
        (OrgKind.GeneralBranch, OrgKind.Branch) => true,
        (OrgKind.Branch, OrgKind.PartyGroup) => true,
        _ => false,
    };
}
