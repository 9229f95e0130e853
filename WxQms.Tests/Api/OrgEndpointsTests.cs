using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services;
using WxQms.Domain.Storage;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Api;

/// <summary>
/// The org tree over HTTP, read as office staff unless a test says otherwise: every route needs a signed-in
/// caller, who sees only the subtrees their roles let them read.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class OrgEndpointsTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>, IAsyncLifetime
{
    private readonly HttpClient client = app.CreateClient();
    private readonly HttpClient anonymous = app.CreateClient();
    private readonly AssessmentWorld people = new(app); // its token and lookup helpers, on the seeded subdistrict
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        client.DefaultRequestHeaders.Authorization = await BearerAsync(await people.HolderAsync("staff", "DFL"));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<AuthenticationHeaderValue> BearerAsync(long memberId) => new("Bearer", await people.TokenAsync(memberId));

    private async Task<HttpClient> ClientAsync(long memberId)
    {
        var c = app.CreateClient();
        c.DefaultRequestHeaders.Authorization = await BearerAsync(memberId);
        return c;
    }

    private async Task<HttpClient> ResidentAsync()
    {
        var user = await app.Get<WechatLinkStore>().UpsertAsync(WxQmsApp.MpAppId, "o-orgs-resident", null, app.Clock.GetUtcNow(), Ct);
        var c = app.CreateClient();
        c.DefaultRequestHeaders.Authorization = new("Bearer", app.Get<TokenIssuer>().Issue(new MpIdentity(user.Id, null)).Token);
        return c;
    }

    [Theory]
    [InlineData("/api/orgs")]
    [InlineData("/api/orgs/{root}")]
    [InlineData("/api/orgs/{root}/tree")]
    public async Task Anonymous_callers_are_asked_to_sign_in(string route)
    {
        var response = await anonymous.GetAsync(route.Replace("{root}", $"{await RootIdAsync()}", StringComparison.Ordinal), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("auth.required", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_member_reads_their_branchs_tree_but_not_the_subdistricts_or_another_branchs()
    {
        var member = await ClientAsync(await people.MemberOfAsync("DFL-C01-B01"));
        var branch = await people.OrgAsync("DFL-C01-B01");

        var own = await member.GetAsync($"/api/orgs/{branch}/tree", Ct);
        var whole = await member.GetAsync($"/api/orgs/{await RootIdAsync()}/tree", Ct);
        var other = await member.GetAsync($"/api/orgs/{await people.OrgAsync("DFL-C02-B01")}/tree", Ct);
        var tops = await member.GetFromJsonAsync<JsonElement>("/api/orgs", Ct);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        foreach (var refused in new[] { whole, other })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("auth.forbidden", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
        }
        Assert.Equal([branch], tops.EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task A_member_may_name_the_orgs_above_their_branch_but_not_their_neighbours()
    {
        var member = await ClientAsync(await people.MemberOfAsync("DFL-C01-B01"));

        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/api/orgs/{await people.OrgAsync("DFL-C01")}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/api/orgs/{await RootIdAsync()}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync($"/api/orgs/{await people.OrgAsync("DFL-C02")}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync($"/api/orgs/{await people.OrgAsync("DFL-C01-B02")}", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_communitys_secretary_lists_their_community_and_a_resident_nothing()
    {
        var secretary = await ClientAsync(await people.HolderAsync("secretary", "DFL-C01"));
        var resident = await ResidentAsync();

        var tops = await secretary.GetFromJsonAsync<JsonElement>("/api/orgs", Ct);
        var nothing = await resident.GetFromJsonAsync<JsonElement>("/api/orgs", Ct);
        var tree = await resident.GetAsync($"/api/orgs/{await RootIdAsync()}/tree", Ct);

        Assert.Equal([await people.OrgAsync("DFL-C01")], tops.EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
        Assert.Empty(nothing.EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, tree.StatusCode);
        // The wish form still offers a resident every community, without the tree and its member counts.
        var communities = await resident.GetFromJsonAsync<JsonElement>("/api/mp/wishes/communities", Ct);
        Assert.Equal(16, communities.GetArrayLength());
    }

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

    private static Task<long> CountAsync(string sql, object? param = null) => ScalarAsync(sql, param);
}
