using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Rules.Dues;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Dues;

/// <summary>
/// A member declares her own base from the mini program (DUTIES.md §A.3); her branch's secretary confirms it (it becomes her
/// base and prices her open months from this month on) or sends it back with a reason she reads. The worker keeps the ledger
/// but does not confirm; a declaration outside the rules is refused before anyone sees it.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DuesDeclarationTests(WxQmsApp shared) : DuesWorldTests(shared)
{

    [Fact]
    public async Task A_member_declares_her_base_and_the_secretary_confirms_it_so_this_months_dues_follow_it()
    {
        var member = members[0];
        var token = await SignInAsync(member);
        var declared = await SendAsync(HttpMethod.Post, "/api/mp/dues/mine/declaration", token, new { category = "employed", baseFen = 600_000 });
        Assert.Equal(HttpStatusCode.OK, declared.StatusCode);
        var view = await declared.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("pending", 9000), (view.GetProperty("state").GetString(), view.GetProperty("monthlyFen").GetInt32()));
        Assert.Contains("按1.5%交纳，每月90.00元", view.GetProperty("explanation").GetString());
        // Nothing changes before the secretary confirms.
        Assert.Equal(4500, await AmountAsync(member));

        var list = await (await SendAsync(HttpMethod.Get, $"/api/mp/dues/branches/{branch}/declarations", await WorkerAsync(), null))
            .Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("pending", list.EnumerateArray().Single(d => d.GetProperty("memberId").GetInt64() == member).GetProperty("state").GetString());
        var byWorker = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{member}/declaration/confirm", await WorkerAsync(), new { });
        Assert.Equal(HttpStatusCode.Forbidden, byWorker.StatusCode);

        var confirmed = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{member}/declaration/confirm", await SecretaryAsync(), new { });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(9000, await AmountAsync(member));
        Assert.Equal(("employed", 600_000, 9000), await QuerySingleAsync<(string, int, int)>(
            "SELECT category, base_fen, monthly_fen FROM dues_bases WHERE member_id = @member AND year = @year", new { member, year = current.Year }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.base_declared' AND entity_id = @member", new { member }));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.declaration_confirmed' AND entity_id = @member", new { member }));
        var mine = await (await SendAsync(HttpMethod.Get, "/api/mp/dues/mine/declarations", token, null)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("confirmed", mine.EnumerateArray().Single().GetProperty("state").GetString());
        var again = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{member}/declaration/confirm", await SecretaryAsync(), new { });
        Assert.Equal("dues.declaration_not_pending", await CodeAsync(again));
    }

    [Fact]
    public async Task A_farmer_declares_the_provinces_amount_and_a_declaration_sent_back_says_why_and_changes_nothing()
    {
        var member = members[1];
        var token = await SignInAsync(member);
        Assert.Equal("dues.base_invalid", await CodeAsync(await SendAsync(HttpMethod.Post, "/api/mp/dues/mine/declaration", token,
            new { category = "farmer", baseFen = 300_000 })));
        Assert.Equal("dues.base_invalid", await CodeAsync(await SendAsync(HttpMethod.Post, "/api/mp/dues/mine/declaration", token,
            new { category = "soldier", baseFen = 50 })));
        Assert.Equal("dues.year_invalid", await CodeAsync(await SendAsync(HttpMethod.Post, "/api/mp/dues/mine/declaration", token,
            new { year = current.Year - 1, category = "farmer", baseFen = 50 })));
        var farmer = await SendAsync(HttpMethod.Post, "/api/mp/dues/mine/declaration", token, new { category = "farmer", baseFen = 50 });
        Assert.Equal(50, (await farmer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("monthlyFen").GetInt32());

        var secretary = await SecretaryAsync();
        Assert.Equal("dues.reason_required", await CodeAsync(await SendAsync(HttpMethod.Post,
            $"/api/mp/dues/members/{member}/declaration/refuse", secretary, new { reason = " " })));
        var refused = await SendAsync(HttpMethod.Post, $"/api/mp/dues/members/{member}/declaration/refuse", secretary,
            new { reason = "您在社区工作，不属于农民党员，请按在职申报" });
        Assert.Equal(HttpStatusCode.NoContent, refused.StatusCode);

        Assert.Equal(4500, await AmountAsync(member));
        var mine = (await (await SendAsync(HttpMethod.Get, "/api/mp/dues/mine/declarations", token, null)).Content.ReadFromJsonAsync<JsonElement>(Ct))
            .EnumerateArray().Single();
        Assert.Equal(("refused", "您在社区工作，不属于农民党员，请按在职申报"), (mine.GetProperty("state").GetString(), mine.GetProperty("refusal").GetString()));
        Assert.Equal(1, await ScalarAsync("SELECT COUNT(*) FROM audit_log WHERE action = 'dues.declaration_refused' AND entity_id = @member", new { member }));

        // Declaring again waits for the secretary again.
        var anew = await SendAsync(HttpMethod.Post, "/api/mp/dues/mine/declaration", token, new { category = "employed", baseFen = 450_000 });
        Assert.Equal("pending", (await anew.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("state").GetString());
    }

    private Task<long> AmountAsync(long member) => ScalarAsync("SELECT amount_fen FROM dues_months WHERE member_id = @member AND month = @m",
        new { member, m = current.Key });
}
