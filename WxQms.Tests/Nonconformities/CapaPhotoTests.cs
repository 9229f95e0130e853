using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Nonconformities;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Nonconformities;

/// <summary>
/// The photos of a corrective action's completion (issue #19 item 5, the mini program's 整改照片): uploaded as the mini
/// program uploads them, named in the completion, listed on the trail's step and served to those who may see the
/// nonconformity (the branch's secretary, the community's committee), refused to a member of another branch.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class CapaPhotoTests : IAsyncLifetime
{
    private readonly OwnClockApp app = new();
    private AssessmentWorld people = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await app.InitializeAsync();
        await app.SeedDemoAsync();
        people = new AssessmentWorld(app);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private Task<HttpClient> ClientAsync(long memberId) => people.ClientAsync(memberId, followRedirects: true);

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response) => response.JsonAsync();

    private static async Task<string> UploadAsync(HttpClient client, byte[] jpeg)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(jpeg) { Headers = { ContentType = new("image/jpeg") } }, "file", "photo.jpg" } };
        var response = await client.PostAsync("/api/mp/uploads", form, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task The_completions_photos_are_on_its_step_and_served_to_the_secretary_and_the_committee_but_not_to_another_branch()
    {
        var branch = await people.OrgAsync("DFL-C02-B01");
        var (id, _) = await app.Get<NonconformityService>().RaiseAsync(new NewNonconformity(branch, NonconformitySource.Inspection,
            $"test:{Guid.NewGuid():N}", "DFL-QP-03 §4.2", NonconformitySeverity.Minor, "会议签到表未归档。"), NcActor.System, Ct);
        var secretary = await ClientAsync(await people.HolderAsync("secretary", "DFL-C02-B01"));
        var url = $"/api/mp/nonconformities/{id}";
        var today = Periods.LocalDate(app.Clock.GetUtcNow());
        var open = await JsonAsync(await secretary.GetAsync(url, Ct));
        var recorded = await JsonAsync(await secretary.PostAsJsonAsync($"{url}/actions", new
        {
            cause = "签到表无人保管。", action = "指定组织委员保管并按月归档。",
            dueOn = today.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), version = open.GetProperty("version").GetInt32(),
        }, Ct));
        var photos = new[] { TestJpeg.TakenAt(new DateTime(2026, 11, 20, 15, 0, 0), 1), TestJpeg.TakenAt(new DateTime(2026, 11, 20, 15, 1, 0), 2) };
        var tokens = new List<string>();
        foreach (var photo in photos)
            tokens.Add(await UploadAsync(secretary, photo));

        var done = await JsonAsync(await secretary.PostAsJsonAsync($"{url}/completion",
            new { note = "签到表已归档，见照片。", photoTokens = tokens, version = recorded.GetProperty("version").GetInt32() }, Ct));

        var step = done.GetProperty("trail").EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "completed");
        var urls = step.GetProperty("photoUrls").EnumerateArray().Select(u => u.GetString()!).ToList();
        Assert.Equal(2, step.GetProperty("photos").GetInt32());
        Assert.Equal(2, urls.Count);
        Assert.All(urls, u => Assert.StartsWith($"{url}/photos/", u));
        var committee = await ClientAsync(await people.HolderAsync("secretary", "DFL-C02"));
        foreach (var photoUrl in urls)
        {
            foreach (var viewer in new[] { secretary, committee })
            {
                var served = await viewer.GetAsync(photoUrl, Ct);
                Assert.Equal(HttpStatusCode.OK, served.StatusCode);
                Assert.Equal("image/jpeg", served.Content.Headers.ContentType?.MediaType);
                var sha = Convert.ToHexStringLower(SHA256.HashData(await served.Content.ReadAsByteArrayAsync(Ct)));
                Assert.Equal(photoUrl[(photoUrl.LastIndexOf('/') + 1)..], sha);
            }
        }

        var stranger = await ClientAsync(await people.MemberOfAsync("DFL-C01-B01"));
        var refused = await stranger.GetAsync(urls[0], Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("auth.forbidden", await refused.Content.ReadAsStringAsync(Ct));
        var missing = await secretary.GetAsync($"{url}/photos/{new string('0', 64)}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("photo.not_found", await missing.Content.ReadAsStringAsync(Ct));
    }
}
