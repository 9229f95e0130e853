using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Tasks;

/// <summary>A branch holds next month's member meeting, submits its evidence, and the task is judged.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class EvidenceTests(WxQmsApp app) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TaskCommands Commands => app.Get<TaskCommands>();
    private long taskId;
    private long branchId;
    private long[] fullMembers = [];
    private DateTimeOffset heldAt;

    public async ValueTask InitializeAsync()
    {
        await app.SeedDemoAsync();
        var month = Periods.Containing(Recurrence.Monthly, app.Clock.GetUtcNow().AddDays(35));
        heldAt = new DateTimeOffset(month.LastDay.Year, month.LastDay.Month, 20, 9, 30, 0, TimeSpan.FromHours(8));
        var quarter = Periods.Containing(Recurrence.Quarterly, heldAt);
        await app.Get<PlanService>().GenerateYearAsync(quarter.Year, Ct);

        (taskId, branchId) = await TestDb.QuerySingleAsync<(long, long)>("""
            SELECT t.id, t.org_id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.code = 'DFL-C02-B01' AND t.template_code = 'member_meeting' AND t.period_key = @Key
            """, new { quarter.Key });
        fullMembers = (await TestDb.QueryAsync<long>("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @branchId) AND m.status = 'full' ORDER BY m.id
            """, new { branchId })).ToArray();
        await Commands.ReportPlanAsync(taskId, 1, new PlanReport(heldAt, "社区三楼会议室", "第四季度党员大会"), "secretary", null, Ct);
        app.Clock.SetUtcNow(heldAt.AddHours(3)); // the meeting took place; now its evidence comes in
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Complete_evidence_completes_the_task_on_time_and_books_its_points()
    {
        var result = await SubmitAsync(version: 2, present: fullMembers.Length);

        Assert.True(result.Judgment.Passed, string.Join("；", result.Judgment.ReasonsInChinese));
        Assert.Equal(TaskState.Completed, result.Task.State);
        Assert.True(result.Judgment.OnTime);
        var ledger = await TestDb.QuerySingleAsync<(decimal Points, string Source, long Subject)>(
            "SELECT points, source, subject_id FROM points_ledger WHERE task_id = @taskId AND subject_type = 'org'", new { taskId });
        Assert.Equal((4.00m, "task.completed", branchId), ledger);
        var attended = (await TestDb.QueryAsync<long>("""
            SELECT subject_id FROM points_ledger
            WHERE task_id = @taskId AND subject_type = 'member' AND source = 'task.attendance' AND points = 1
            ORDER BY subject_id
            """, new { taskId })).ToList();
        Assert.Equal(fullMembers.Order(), attended);
        Assert.Equal(3, await TestDb.ScalarAsync("SELECT COUNT(*) FROM evidence_photos WHERE evidence_id = @Id", new { Id = result.EvidenceId }));
        Assert.Equal(["task.completed", "task.planned", "task.submitted"], (await TestDb.QueryAsync<string>(
            "SELECT action FROM audit_log WHERE entity_type = 'task' AND entity_id = @taskId ORDER BY action", new { taskId })).ToList());
    }

    [Fact]
    public async Task Half_of_the_voting_members_is_no_quorum_and_returns_the_task_with_the_reason()
    {
        var half = fullMembers.Length / 2; // exactly half (or just under, for an odd roster); JudgmentTests has the edges

        var returned = await SubmitAsync(version: 2, present: half);
        var resubmitted = await SubmitAsync(version: 3, present: fullMembers.Length);

        Assert.False(returned.Judgment.Passed);
        Assert.Equal(TaskState.Returned, returned.Task.State);
        Assert.Contains(returned.Judgment.ReasonsInChinese, r => r.Contains("半数"));
        Assert.Equal(TaskState.Completed, resubmitted.Task.State);
        Assert.Equal(1, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM points_ledger WHERE task_id = @taskId AND subject_type = 'org'", new { taskId }));
        // Attendance counts once, from the submission that passed.
        Assert.Equal(fullMembers.Length, await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM points_ledger WHERE task_id = @taskId AND subject_type = 'member'", new { taskId }));
    }

    [Fact]
    public async Task Evidence_after_the_task_went_overdue_completes_it_late_and_the_overdue_deduction_is_reversed()
    {
        var due = (await app.Get<TaskQueries>().GetAsync(taskId, Ct))!.DueAt;
        app.Clock.SetUtcNow(due.AddHours(2));
        await app.Get<OverdueMarker>().MarkDueAsync(app.Clock.GetUtcNow(), Ct);

        var late = await SubmitAsync(version: 3, present: fullMembers.Length);

        Assert.Equal(TaskState.Completed, late.Task.State);
        Assert.False(late.Judgment.OnTime);
        var ledger = (await TestDb.QueryAsync<(string Source, decimal Points)>(
            "SELECT source, points FROM points_ledger WHERE task_id = @taskId AND subject_type = 'org' ORDER BY id", new { taskId })).ToList();
        Assert.Equal([("task.overdue", -2.00m), ("task.completed_late", 2.00m), ("task.overdue_reversed", 2.00m)], ledger);
        Assert.Equal(2.00m, ledger.Sum(e => e.Points)); // 4 points less the late deduction of 2
    }

    [Fact]
    public async Task Attendance_naming_a_member_of_another_branch_is_refused_and_nothing_is_stored()
    {
        var stranger = await TestDb.ScalarAsync(
            "SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path NOT LIKE (SELECT CONCAT(path, '%') FROM orgs WHERE id = @branchId) LIMIT 1",
            new { branchId });

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => Commands.SubmitEvidenceAsync(taskId, 2,
            new EvidenceSubmission(heldAt, "会议室", "党员大会", "记录", [(stranger, Presence.Present)], []), "secretary", null, Ct));

        Assert.Equal("evidence.unknown_member", refused.Code);
        Assert.Equal(0, await TestDb.ScalarAsync("SELECT COUNT(*) FROM task_evidence"));
        Assert.Equal(TaskState.Planned, (await app.Get<TaskQueries>().GetAsync(taskId, Ct))!.State);
    }

    [Fact]
    public async Task Photos_are_checked_by_content_not_by_name()
    {
        var intake = app.Get<PhotoIntake>();
        var png = TestPng.Create(32, 24);
        byte[] exe = [0x4D, 0x5A, 0x90, 0x00, .. new byte[200]];
        byte[] truncatedJpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 1, 2, 3];

        var stored = await intake.AcceptAsync(new MemoryStream(png), "会场.png", Ct);
        var renamed = await Assert.ThrowsAsync<RuleViolationException>(() => intake.AcceptAsync(new MemoryStream(exe), "照片.jpg", Ct));
        var cut = await Assert.ThrowsAsync<RuleViolationException>(() => intake.AcceptAsync(new MemoryStream(truncatedJpeg), "a.jpg", Ct));
        var huge = await Assert.ThrowsAsync<RuleViolationException>(() =>
            intake.AcceptAsync(new MemoryStream(new byte[PhotoIntake.MaxBytes + 1]), "big.jpg", Ct));

        Assert.Equal("image/png", stored.ContentType);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), stored.Sha256);
        Assert.Equal(("photo.bad_type", "photo.truncated", "photo.too_large"), (renamed.Code, cut.Code, huge.Code));
    }

    private async Task<SubmissionResult> SubmitAsync(int version, int present)
    {
        var intake = app.Get<PhotoIntake>();
        var photos = new List<StoredPhoto>();
        for (var i = 0; i < 3; i++)
            photos.Add(await intake.AcceptAsync(new MemoryStream(TestPng.Create(40 + i, 30)), $"p{i}.png", Ct));
        var attendance = fullMembers.Select((id, i) => (id, i < present ? Presence.Present : Presence.Absent)).ToList();
        return await Commands.SubmitEvidenceAsync(taskId, version,
            new EvidenceSubmission(heldAt, "社区三楼会议室", "第四季度党员大会", "会议记录：传达学习……", attendance, photos),
            "secretary", null, Ct);
    }
}
