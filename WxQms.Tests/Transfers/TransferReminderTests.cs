using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Reminders;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Transfers;

/// <summary>
/// A transfer within the subdistrict (issue #17 item 3): started by the sending branch, accepted by the receiving one,
/// the member moves at once; her next meeting reminders come from the new branch, and those already queued for the
/// old branch's meetings are cancelled.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class TransferReminderTests(WxQmsApp app) : IAsyncLifetime
{
    private const string NewBranch = "DFL-C01-B02";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ReminderWorld world = new(app);
    private readonly AssessmentWorld people = new(app);

    public async ValueTask InitializeAsync() => await world.InitializeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<HttpClient> ClientAsync(long memberId) => people.ClientAsync(memberId, followRedirects: true);

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => response.JsonAsync(expected);

    [Fact]
    public async Task A_transfer_within_the_subdistrict_moves_the_members_next_reminders_to_the_new_branch()
    {
        var oldTask = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        var newTask = await world.TaskIdAsync(NewBranch, TaskCodes.ThemePartyDay);
        var (oldMeeting, newMeeting) = (world.Day(20, 14, 30), world.Day(22, 14, 30));
        var commands = app.Get<TaskCommands>();
        await commands.ReportPlanAsync(oldTask, 1, new PlanReport(oldMeeting, "党群服务中心", "学习党章"), "test", null, Ct);
        await commands.ReportPlanAsync(newTask, 1, new PlanReport(newMeeting, "社区活动室", "学习条例"), "test", null, Ct);
        var (mover, stayer) = ((await QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.code = @Branch
            WHERE o.path LIKE CONCAT(b.path, '%') AND m.status = 'full'
              AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
            ORDER BY m.id LIMIT 2
            """, new { ReminderWorld.Branch })).ToList() switch { var l => (l[0], l[1]) });
        // A reminder of the old branch's meeting already queued for her (held back for the quiet hours, say).
        var queued = (await world.InsertAsync(oldTask, "members", [mover], oldMeeting.AddDays(-1).AddHours(8))).Single();

        var oldSecretary = await ClientAsync((await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Secretary)).First());
        var newSecretary = await ClientAsync((await world.MembersWithRoleAsync(NewBranch, Roles.Secretary)).First());
        var newBranchId = await people.OrgAsync(NewBranch);
        var started = await JsonAsync(await oldSecretary.PostAsJsonAsync("/api/mp/transfers",
            new { kind = "within", memberId = mover, toOrgId = newBranchId, reason = "搬家到本街道另一社区" }, Ct), HttpStatusCode.Created);
        Assert.Equal("requested", started.GetProperty("state").GetString());
        var id = started.GetProperty("id").GetInt64();
        // The sending branch does not accept for the receiving one; the receiving branch sees it waiting.
        Assert.Equal(HttpStatusCode.Forbidden, (await oldSecretary.PostAsJsonAsync($"/api/mp/transfers/{id}/accept", new { }, Ct)).StatusCode);
        var waiting = await JsonAsync(await newSecretary.GetAsync($"/api/mp/transfers?orgId={newBranchId}", Ct), HttpStatusCode.OK);
        Assert.Contains(waiting.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == id);
        // Its secretary and workers are told through the official account that a member waits to be accepted (once),
        // and the notice opens the mini program's transfers.
        var keepers = (await world.MembersWithRoleAsync(NewBranch, Roles.Secretary, Roles.Worker)).ToList();
        var told = (await QueryAsync<(long Member, string Kind, string Content)>(
            "SELECT member_id, kind, content FROM reminders WHERE subject_type = 'transfer' AND subject_id = @id ORDER BY member_id", new { id })).ToList();
        Assert.Equal(keepers, told.Select(t => t.Member).ToList());
        Assert.All(told, t => Assert.Equal("awaiting_accept", t.Kind));
        Assert.Contains("待接收", told[0].Content);
        Assert.Contains("pages/transfers/index", told[0].Content);

        var accepted = await JsonAsync(await newSecretary.PostAsJsonAsync($"/api/mp/transfers/{id}/accept", new { }, Ct), HttpStatusCode.OK);
        Assert.Equal("completed", accepted.GetProperty("state").GetString());
        // She is told where her organisational relationship now is.
        var moved = (await QueryAsync<(string Kind, string Content)>(
            "SELECT kind, content FROM reminders WHERE subject_type = 'transfer' AND subject_id = @id AND member_id = @mover", new { id, mover })).Single();
        Assert.Equal("accepted", moved.Kind);
        Assert.Contains("已转入", moved.Content);

        // She moved at once, with her history, through the console's one move.
        Assert.Equal(newBranchId, await ScalarAsync("SELECT org_id FROM members WHERE id = @mover", new { mover }));
        Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM member_moves WHERE member_id = @mover AND to_org_id = @newBranchId",
            new { mover, newBranchId }));
        var roster = await JsonAsync(await newSecretary.GetAsync($"/api/mp/orgs/{newBranchId}/members", Ct), HttpStatusCode.OK);
        Assert.Contains($"\"id\":{mover},", roster.ToString());

        // The queued reminder of the old branch's meeting is cancelled; the meetings' reminders fire as planned.
        await world.ScanAsync(oldMeeting.AddDays(-1));
        await world.ScanAsync(newMeeting.AddDays(-1));
        var oldRows = await world.RemindersAsync(oldTask);
        Assert.Equal("cancelled", oldRows.Single(r => r.Id == queued).Status);
        Assert.DoesNotContain(oldRows, r => r.MemberId == mover && r.Status != "cancelled");
        Assert.Contains(oldRows, r => r.MemberId == stayer && r.Kind == "members" && r.Status == "pending");
        Assert.Contains(await world.RemindersAsync(newTask), r => r.MemberId == mover && r.Kind == "members" && r.Status == "pending");
    }
}
