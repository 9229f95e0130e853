using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Api;

[Collection(IntegrationCollection.Name)]
public sealed class OrgEndpointsTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private readonly HttpClient client = app.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lists_the_subdistrict_as_the_only_root()
    {
        var roots = await client.GetFromJsonAsync<JsonElement>("/api/orgs", Ct);

        Assert.False(seeded.Result.AlreadySeeded);
        var root = Assert.Single(roots.EnumerateArray());
        Assert.Equal("东风路街道党工委", root.GetProperty("name").GetString());
        Assert.Equal("subdistrict", root.GetProperty("kind").GetString());
        Assert.Equal("街道党工委", root.GetProperty("kindLabel").GetString());
    }

    [Fact]
    public async Task The_subdistrict_tree_shows_16_communities_and_about_60_branches_with_member_counts()
    {
        var rootId = await RootIdAsync();

        var response = await client.GetAsync($"/api/orgs/{rootId}/tree", Ct);
        response.EnsureSuccessStatusCode();
        var raw = await response.Content.ReadAsStringAsync(Ct);
        var tree = JsonSerializer.Deserialize<OrgTreeNode>(raw, JsonDefaults.Storage)!;

        Assert.Contains("东风路街道党工委", raw); // Chinese is not \u-escaped
        Assert.Equal(16, tree.Children.Count);
        var branches = OrgTree.Flatten(tree).Count(n => n.Kind == OrgKind.Branch);
        Assert.InRange(branches, 55, 65);
        Assert.Equal(await CountAsync("SELECT COUNT(*) FROM members WHERE status IN ('full','probationary')"),
            tree.TotalMemberCount);
        Assert.All(OrgTree.Flatten(tree), n =>
            Assert.Equal(n.MemberCount + n.Children.Sum(c => c.TotalMemberCount), n.TotalMemberCount));
    }

    [Fact]
    public async Task A_subtree_holds_only_the_descendants_of_its_root()
    {
        var rootId = await RootIdAsync();
        var root = await TreeAsync(rootId);
        var community = root.Children[3];

        var subtree = await TreeAsync(community.Id);

        Assert.Equal(community.Name, subtree.Name);
        Assert.Equal(OrgTree.Flatten(community).Select(n => n.Id).Order(), OrgTree.Flatten(subtree).Select(n => n.Id).Order());
    }

    [Fact]
    public async Task The_second_read_comes_from_redis()
    {
        var rootId = await RootIdAsync();
        await app.Get<OrgTreeCache>().InvalidateAsync();

        var first = await client.GetAsync($"/api/orgs/{rootId}/tree", Ct);
        var second = await client.GetAsync($"/api/orgs/{rootId}/tree", Ct);

        Assert.Equal("miss", first.Headers.GetValues("X-Cache").Single());
        Assert.Equal("hit", second.Headers.GetValues("X-Cache").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await second.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Renaming_an_org_shows_in_the_cached_tree_at_once()
    {
        var rootId = await RootIdAsync();
        var branch = OrgTree.Flatten(await TreeAsync(rootId)).First(n => n.Kind == OrgKind.Branch);
        _ = await TreeAsync(rootId); // cached now

        await app.Get<OrgService>().RenameAsync(branch.Id, "幸福里网格党支部", "test", Ct);

        var renamed = OrgTree.Flatten(await TreeAsync(rootId)).Single(n => n.Id == branch.Id);
        Assert.Equal("幸福里网格党支部", renamed.Name);
        Assert.Equal(1, await CountAsync(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'org.renamed' AND entity_id = @Id", new { branch.Id }));
    }

    [Fact]
    public async Task Adding_a_member_updates_the_counts_up_the_tree()
    {
        var rootId = await RootIdAsync();
        var before = await TreeAsync(rootId);
        var branch = OrgTree.Flatten(before).First(n => n.Kind == OrgKind.Branch && n.Children.Count == 0);
        var community = before.Children.Single(c => OrgTree.Flatten(c).Any(n => n.Id == branch.Id));

        await app.Get<MemberService>().AddAsync(new NewMember(branch.Id, "王新党", Sex.Male, new DateOnly(1990, 5, 1),
            new DateOnly(2020, 7, 1), MemberStatus.Full, null, false, false, "T-NEW-1"), "test", Ct);

        var after = await TreeAsync(rootId);
        Assert.Equal(before.TotalMemberCount + 1, after.TotalMemberCount);
        Assert.Equal(community.TotalMemberCount + 1, after.Children.Single(c => c.Id == community.Id).TotalMemberCount);
        Assert.Equal(branch.MemberCount + 1, OrgTree.Flatten(after).Single(n => n.Id == branch.Id).MemberCount);
    }

    [Fact]
    public async Task A_single_org_is_found_by_id()
    {
        var rootId = await RootIdAsync();

        var org = await client.GetFromJsonAsync<JsonElement>($"/api/orgs/{rootId}", Ct);

        Assert.Equal("DFL", org.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, org.GetProperty("parentId").ValueKind);
    }

    [Theory]
    [InlineData("/api/orgs/abc", HttpStatusCode.BadRequest, "request.invalid")]
    [InlineData("/api/orgs/abc/tree", HttpStatusCode.BadRequest, "request.invalid")]
    [InlineData("/api/orgs/99999999999999999999999/tree", HttpStatusCode.BadRequest, "request.invalid")]
    [InlineData("/api/orgs/999999999", HttpStatusCode.NotFound, "org.not_found")]
    [InlineData("/api/orgs/999999999/tree", HttpStatusCode.NotFound, "org.not_found")]
    [InlineData("/api/orgs/-1/tree", HttpStatusCode.NotFound, "org.not_found")]
    public async Task Bad_or_unknown_ids_get_problem_details(string url, HttpStatusCode status, string code)
    {
        var response = await client.GetAsync(url, Ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task An_unknown_route_gets_problem_details()
    {
        var response = await client.GetAsync("/api/nothing-here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<long> RootIdAsync() =>
        (await client.GetFromJsonAsync<JsonElement>("/api/orgs", Ct))[0].GetProperty("id").GetInt64();

    private async Task<OrgTreeNode> TreeAsync(long id) =>
        (await client.GetFromJsonAsync<OrgTreeNode>($"/api/orgs/{id}/tree", JsonDefaults.Storage, Ct))!;

    private static async Task<long> CountAsync(string sql, object? param = null)
    {
        await using var conn = new MySqlConnection(TestEnvironment.MySql);
        return await conn.ExecuteScalarAsync<long>(sql, param);
    }
}
