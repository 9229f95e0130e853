using WxQms.Domain.Rules;

namespace WxQms.Tests.Rules;

public sealed class OrgPathTests
{
    [Fact]
    public void Child_paths_extend_the_parent_path()
    {
        var root = OrgPath.Child(OrgPath.Root, 1);
        var branch = OrgPath.Child(OrgPath.Child(root, 5), 23);

        Assert.Equal("/1/", root);
        Assert.Equal("/1/5/23/", branch);
        Assert.Equal([1L, 5L, 23L], OrgPath.Ids(branch));
        Assert.Equal(2, OrgPath.Depth(branch));
    }

    [Theory]
    [InlineData("/1/5/23/", 0, 1L)]
    [InlineData("/1/5/23/", 1, 5L)]
    [InlineData("/1/5/23/", 2, 23L)]
    [InlineData("/1/5/23/", 3, null)]
    [InlineData("/1/", 1, null)]
    [InlineData("/", 0, null)]
    [InlineData("/17/123456789012/", 1, 123456789012L)]
    public void An_id_is_read_at_its_depth_and_null_below_the_org(string path, int index, long? id) =>
        Assert.Equal(id, OrgPath.IdAt(path, index));

    [Fact]
    public void Reading_an_id_refuses_what_is_not_a_path() =>
        Assert.Throws<ArgumentException>(() => OrgPath.IdAt("/1/5", 0));

    [Theory]
    [InlineData("/1/5/23/", "/1/", true)]
    [InlineData("/1/5/23/", "/1/5/23/", true)]
    [InlineData("/1/5/", "/1/5/23/", false)]
    [InlineData("/1/50/", "/1/5/", false)] // a sibling whose id starts with the same digits
    [InlineData("/2/5/", "/1/", false)]
    public void A_path_is_within_its_ancestors_and_itself_only(string path, string ancestor, bool within) =>
        Assert.Equal(within, OrgPath.IsWithin(path, ancestor));

    [Fact]
    public void The_subtree_pattern_does_not_match_siblings_sharing_a_prefix()
    {
        var pattern = OrgPath.SubtreePattern("/1/5/");

        Assert.Equal("/1/5/%", pattern);
        Assert.False("/1/50/".StartsWith(pattern.TrimEnd('%'), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1/5/")]
    [InlineData("/1/5")]
    [InlineData("/1//5/")]
    [InlineData("/01/")]
    [InlineData("/a/")]
    [InlineData("/1/-5/")]
    [InlineData("/99999999999999999999/")]
    public void Malformed_paths_are_rejected(string path)
    {
        Assert.False(OrgPath.IsValid(path));
        Assert.Throws<ArgumentException>(() => OrgPath.SubtreePattern(path));
        Assert.Throws<ArgumentException>(() => OrgPath.Child(path, 3));
    }

    [Fact]
    public void Child_ids_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OrgPath.Child("/1/", 0));
}
