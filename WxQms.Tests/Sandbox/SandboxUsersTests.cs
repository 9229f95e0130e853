using System.Net;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Sandbox;
using WxQms.Domain.Model;
using WxQms.Domain.Storage;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Sandbox;

[Collection(IntegrationCollection.Name)]
public sealed class SandboxUsersTests(WxQmsApp app, SeededSubdistrict seeded) : SeededWechatTests(app, seeded)
{

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<List<(long Id, string Code, string Name)>> MembersAsync()
    {
        return (await QueryAsync<(long, string, string)>("SELECT id, code, name FROM members ORDER BY id")).ToList();
    }

    private async Task<JsonElement[]> AllUsersAsync() => await Wx.UsersAsync();

    [Fact]
    public async Task Lists_every_member_and_twenty_residents_with_ids_that_stay_the_same()
    {
        var members = await MembersAsync();

        var first = await AllUsersAsync();
        await Wx.Sandbox.Users.RefreshAsync(Ct);
        var second = await AllUsersAsync();

        Assert.Equal(members.Count + 20, first.Length);
        Assert.Equal(first.Select(u => u.GetRawText()), second.Select(u => u.GetRawText()));
        Assert.Equal(members.Select(m => (long?)m.Id), first.Take(members.Count).Select(u => u.GetProperty("memberId").GetInt64()).Cast<long?>());
        Assert.All(first.Skip(members.Count), u => Assert.Equal(JsonValueKind.Null, u.GetProperty("memberId").ValueKind));
        Assert.All(first, u =>
        {
            Assert.Matches("^o[A-Za-z0-9_-]{27}$", u.Str("openid"));
            Assert.Matches("^o[A-Za-z0-9_-]{27}$", u.Str("mpOpenid"));
            Assert.Matches("^o[A-Za-z0-9_-]{27}$", u.Str("unionid"));
            Assert.NotEqual(u.Str("openid"), u.Str("mpOpenid"));
        });
        Assert.Equal(first.Length, first.Select(u => u.Str("openid")).Distinct().Count());
        var (_, code, name) = members[0];
        Assert.Equal((SandboxUsers.OpenIdOf(code), SandboxUsers.MpOpenIdOf(code), SandboxUsers.UnionIdOf(code), name),
            (first[0].Str("openid"), first[0].Str("mpOpenid"), first[0].Str("unionid"), first[0].Str("name")));
    }

    [Fact]
    public async Task About_nine_in_ten_members_and_half_the_residents_follow_the_official_account()
    {
        var users = await AllUsersAsync();

        var members = users.Where(u => u.GetProperty("memberId").ValueKind != JsonValueKind.Null).ToList();
        var residents = users.Except(members).ToList();
        var memberShare = 100.0 * members.Count(u => u.GetProperty("follows").GetBoolean()) / members.Count;
        Assert.InRange(memberShare, 86, 94);
        Assert.InRange(residents.Count(u => u.GetProperty("follows").GetBoolean()), 6, 14);
        Assert.Equal(users.Count(u => !u.GetProperty("follows").GetBoolean()), (await Wx.GetJsonAsync("/sandbox/wechat/users?follows=false&limit=1")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Lists_every_user_in_one_answer_unless_a_limit_is_given()
    {
        var members = await MembersAsync();

        var all = await Wx.GetJsonAsync("/sandbox/wechat/users");

        Assert.True(members.Count > 2_000);
        Assert.Equal(members.Count + 20, all.GetProperty("total").GetInt32());
        Assert.Equal(members.Count + 20, all.GetProperty("users").GetArrayLength());
        Assert.Equal(0, all.GetProperty("offset").GetInt32());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("limit").ValueKind);
    }

    [Fact]
    public async Task Filters_by_member_id_and_name_and_pages_when_asked()
    {
        var members = await MembersAsync();
        var (id, _, name) = members[42];

        var byId = await Wx.UsersAsync($"memberId={id}");
        var byName = await Wx.UsersAsync($"q={Uri.EscapeDataString(name)}");
        var page = await Wx.GetJsonAsync("/sandbox/wechat/users?offset=40&limit=5");
        var rest = await Wx.GetJsonAsync($"/sandbox/wechat/users?offset={members.Count + 15}&limit=100000");

        Assert.Equal(name, Assert.Single(byId).Str("name"));
        Assert.Contains(byName, u => u.GetProperty("memberId").ValueKind == JsonValueKind.Number && u.GetProperty("memberId").GetInt64() == id);
        Assert.All(byName, u => Assert.Contains(name, u.Str("name")));
        Assert.Equal((40, 5), (page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
        Assert.Equal(members.Skip(40).Take(5).Select(m => m.Id),
            page.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("memberId").GetInt64()));
        Assert.Equal(5, rest.GetProperty("users").GetArrayLength());
        Assert.Equal(members.Count + 20, rest.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_member_added_to_the_database_appears_without_a_refresh()
    {
        var before = (await Wx.GetJsonAsync("/sandbox/wechat/users?limit=1")).GetProperty("total").GetInt32();
        long orgId;
        await using (var conn = await TestDb.OpenAsync())
        {
            orgId = await conn.ExecuteScalarAsync<long>("SELECT id FROM orgs WHERE kind = 'branch' LIMIT 1");
            await using var tx = await conn.BeginTransactionAsync(Ct);
            await MemberStore.InsertAsync(conn, tx, new NewMember(orgId, "新党员", Sex.Female, null, null,
                MemberStatus.Probationary, "13900000001", false, false, "TEST-NEW-1"), App.Clock.GetUtcNow(), Ct);
            await tx.CommitAsync(Ct);
        }

        var after = await Wx.GetJsonAsync("/sandbox/wechat/users?q=新党员");

        Assert.Equal(before + 1, (await Wx.GetJsonAsync("/sandbox/wechat/users?limit=1")).GetProperty("total").GetInt32());
        Assert.Equal(SandboxUsers.OpenIdOf("TEST-NEW-1"), Assert.Single(after.GetProperty("users").EnumerateArray()).Str("openid"));
    }

    [Fact]
    public async Task User_info_answers_followers_non_followers_and_strangers_as_wechat_does()
    {
        var users = await Wx.UsersAsync("limit=2");
        var (follower, other) = (users[0].Str("openid"), users[1].Str("openid"));
        Wx.Sandbox.Users.SetFollows(follower, true);
        Wx.Sandbox.Users.SetFollows(other, false);

        var info = await Wx.GetAsync(SandboxApp.Oa, $"cgi-bin/user/info?openid={follower}&lang=zh_CN");
        var unfollowed = await Wx.GetAsync(SandboxApp.Oa, $"cgi-bin/user/info?openid={other}&lang=zh_CN");
        var stranger = await Wx.GetAsync(SandboxApp.Oa, "cgi-bin/user/info?openid=o-nobody&lang=zh_CN");
        var mpOpenId = await Wx.GetAsync(SandboxApp.Oa, $"cgi-bin/user/info?openid={users[0].Str("mpOpenid")}");
        var fromMp = await Wx.GetAsync(SandboxApp.Mp, $"cgi-bin/user/info?openid={follower}");

        Assert.False(info.TryGetProperty("errcode", out _));
        Assert.Equal(1, info.GetProperty("subscribe").GetInt32());
        Assert.Equal(users[0].Str("unionid"), info.Str("unionid"));
        Assert.Equal("", info.Str("nickname"));
        Assert.Equal(App.Clock.GetUtcNow().ToUnixTimeSeconds(), info.GetProperty("subscribe_time").GetInt64());
        Assert.Equal(0, unfollowed.GetProperty("subscribe").GetInt32());
        Assert.False(unfollowed.TryGetProperty("nickname", out _));
        Assert.Equal(40003, stranger.ErrCode());
        Assert.Contains("rid:", stranger.ErrMsg());
        Assert.Equal(40003, mpOpenId.ErrCode());
        Assert.Equal(48001, fromMp.ErrCode());
    }

    [Fact]
    public async Task The_inbox_of_an_unknown_openid_is_not_found()
    {
        var response = await Wx.Http.GetAsync("/sandbox/wechat/users/o-nobody/inbox", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
