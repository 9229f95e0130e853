using System.Net;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services.Members;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Members;

/// <summary>
/// The demo subdistrict with this month's plan (<see cref="AssessmentWorld"/>), a branch with its secretary and two plain
/// members, a secretary and a member of another community, office staff, and a 党性体检 questionnaire for this year.
/// </summary>
public sealed class MemberPartWorld(WxQmsApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly HttpClient client = app.CreateClient();

    public AssessmentWorld World { get; } = new(app, thisMonth: true);
    public int Year { get; private set; }
    public long Branch { get; private set; }
    public long Secretary { get; private set; }
    public long Member { get; private set; }
    public long Other { get; private set; }
    public long Stranger { get; private set; }
    public long StrangerSecretary { get; private set; }
    public long Staff { get; private set; }

    public async Task InitializeAsync()
    {
        await World.InitializeAsync();
        Year = World.Month.Year;
        Branch = await World.OrgAsync("DFL-C01-B01");
        Secretary = await World.HolderAsync("secretary", "DFL-C01-B01");
        var plain = await Seeded.PlainMembersAsync(Branch, 2);
        (Member, Other) = (plain[0], plain[1]);
        Stranger = await World.MemberOfAsync("DFL-C02-B01");
        StrangerSecretary = await World.HolderAsync("secretary", "DFL-C02-B01");
        Staff = await World.HolderAsync("staff", "DFL");
    }

    /// <summary>This year's questionnaire, as office staff keep it: two items of 理想信念 and one of 政治纪律.</summary>
    public async Task<IReadOnlyList<long>> QuestionnaireAsync()
    {
        var staff = new MemberEditor([new Grant(Roles.Staff, await World.OrgAsync("DFL"), "/" + await World.OrgAsync("DFL") + "/",
            OrgKind.Subdistrict)], Staff, $"member:{Staff}");
        var service = app.Get<CheckupService>();
        return
        [
            await service.AddItemAsync(staff, Year, "理想信念", "坚定理想信念，对党忠诚", 3, Ct),
            await service.AddItemAsync(staff, Year, "理想信念", "认真学习党的理论", 1, Ct),
            await service.AddItemAsync(staff, Year, "政治纪律", "严守政治纪律和政治规矩", 2, Ct),
        ];
    }

    public Task<string> TokenAsync(long memberId) => World.TokenAsync(memberId);

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string url, long memberId, object? body = null)
    {
        using var response = await client.SendAsync(method, url, await TokenAsync(memberId), body);
        return await response.AnswerAsync();
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string url, long memberId) => SendAsync(HttpMethod.Get, url, memberId);

    public static string Code(JsonElement problem) => problem.GetProperty("code").GetString()!;
}
