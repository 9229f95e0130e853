using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Members;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Sms;

/// <summary>
/// #21: a member whose number replied 「TD」 shows it on her record — in the mini program's 我的档案 for herself and her
/// secretary, and on the console's member page for the office — with the day she opted out.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class SmsOptOutRecordTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly MemberPartWorld w = new(app);
    private readonly SmsSwitch sms = new(app);
    private readonly HttpClient http = app.CreateClient();

    public async ValueTask InitializeAsync()
    {
        await w.InitializeAsync();
        sms.On();
    }

    public ValueTask DisposeAsync() => sms.OffAsync();

    [Fact]
    public async Task A_TD_reply_shows_on_the_members_record_for_her_her_secretary_and_the_office()
    {
        var phone = await QuerySingleAsync<string>("SELECT phone FROM members WHERE id = @Member", new { w.Member });
        var (_, before) = await w.GetAsync("/api/mp/me/record", w.Member);
        Assert.False(before.GetProperty("sms").GetProperty("optedOut").GetBoolean());
        Assert.Equal("接收短信提醒（微信收不到时）", before.GetProperty("sms").GetProperty("label").GetString());

        using (var reply = await http.PostAsJsonAsync($"/sandbox/sms/{phone}/reply", new { content = "退订" }, Ct))
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);

        var (status, mine) = await w.GetAsync("/api/mp/me/record", w.Member);
        Assert.Equal(HttpStatusCode.OK, status);
        var sms = mine.GetProperty("sms");
        Assert.True(sms.GetProperty("optedOut").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, sms.GetProperty("optedOutAt").ValueKind);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} 回复「TD」退订：非紧急提醒不再发短信$", sms.GetProperty("label").GetString());
        var (_, hers) = await w.GetAsync($"/api/mp/members/{w.Member}/record", w.Secretary);
        Assert.True(hers.GetProperty("sms").GetProperty("optedOut").GetBoolean());
        // Another member of the branch is still reached by SMS.
        var (_, other) = await w.GetAsync("/api/mp/me/record", w.Other);
        Assert.False(other.GetProperty("sms").GetProperty("optedOut").GetBoolean());

        using var office = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        office.DefaultRequestHeaders.Authorization = new("Bearer", await w.TokenAsync(w.Staff));
        var page = await office.GetStringAsync($"/admin/members/{w.Member}", Ct);
        Assert.Contains("<th>短信提醒</th>", page, StringComparison.Ordinal);
        Assert.Contains("回复「TD」退订：非紧急提醒不再发短信", page, StringComparison.Ordinal);
    }
}
