using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WxQms.Domain.Hosting;
using WxQms.Jobs.Workers;
using WxQms.Jobs;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Jobs;

/// <summary><c>Jobs:&lt;Job&gt;:Interval</c>: what <c>WxQms.Jobs run</c> runs, and how often.</summary>
public sealed class WorkerIntervalTests
{
    private static readonly string[] Connections =
    [
        $"--ConnectionStrings:MySql={TestEnvironment.MySql}", $"--ConnectionStrings:Redis={TestEnvironment.Redis}",
        "--Reminders:Templates:meetingReminder:Oa=oa-meeting", "--Reminders:Templates:meetingReminder:Mp=mp-meeting",
        "--Reminders:Templates:taskWarning:Oa=oa-warning", "--Reminders:Templates:taskWarning:Mp=mp-warning",
        "--Reminders:Templates:termReminder:Oa=oa-term", "--Reminders:Templates:termReminder:Mp=mp-term",
    ];

    [Fact]
    public void Every_job_runs_as_often_as_before_when_nothing_is_configured()
    {
        Assert.Equal(new Dictionary<string, TimeSpan>
        {
            ["heartbeat"] = TimeSpan.FromSeconds(30),
            ["inbound-media"] = TimeSpan.FromSeconds(2),
            ["chat-photos"] = TimeSpan.FromSeconds(2),
            ["plan"] = TimeSpan.FromHours(6),
            ["overdue"] = TimeSpan.FromMinutes(5),
            ["monthly-close"] = TimeSpan.FromMinutes(5),
            ["reminder-scan"] = TimeSpan.FromMinutes(1),
            ["reminder-send"] = TimeSpan.FromSeconds(2),
            ["wish-confirm"] = TimeSpan.FromMinutes(5),
            ["upload-sweep"] = TimeSpan.FromMinutes(30),
            ["term-reminders"] = TimeSpan.FromHours(1),
            ["transfer-alerts"] = TimeSpan.FromHours(1),
            ["nonconformities"] = TimeSpan.FromHours(1),
            ["retention"] = TimeSpan.FromHours(6),
            ["inspections"] = TimeSpan.FromHours(6),
            ["dues-months"] = TimeSpan.FromHours(1),
            ["dues-arrears"] = TimeSpan.FromHours(1),
            ["appraisal-followups"] = TimeSpan.FromHours(1),
            ["pay-reconcile"] = TimeSpan.FromMinutes(1),
            ["development-reminders"] = TimeSpan.FromHours(1),
        }, Intervals());
    }

    [Fact]
    public void Jobs_Job_Interval_sets_a_jobs_interval_and_Reminders_SendInterval_still_sets_the_senders()
    {
        var intervals = Intervals("--Jobs:UploadSweep:Interval=00:01:00", "--Jobs:InboundMedia:Interval=00:00:10",
            "--Reminders:SendInterval=00:00:00.200");

        Assert.Equal(TimeSpan.FromMinutes(1), intervals["upload-sweep"]);
        Assert.Equal(TimeSpan.FromSeconds(10), intervals["inbound-media"]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), intervals["reminder-send"]);
        Assert.Equal(TimeSpan.FromMinutes(5), intervals["wish-confirm"]);

        Assert.Equal(TimeSpan.FromSeconds(5),
            Intervals("--Reminders:SendInterval=00:00:00.200", "--Jobs:ReminderSend:Interval=00:00:05")["reminder-send"]);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("1.00:00:01")]
    public async Task Run_refuses_to_start_with_an_interval_that_is_no_interval(string interval)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => JobsProgram.Main(["run", .. Connections, $"--Jobs:Heartbeat:Interval={interval}"]));

        Assert.Contains("Jobs:Heartbeat:Interval must be more than zero and at most 1.00:00:00", error.Message);
    }

    private static Dictionary<string, TimeSpan> Intervals(params string[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [.. Connections, .. settings] });
        builder.AddWxQmsCore();
        builder.AddWorkers();
        using var host = builder.Build();
        return host.Services.GetServices<IPeriodicJob>().ToDictionary(j => j.Name, j => j.Interval);
    }
}
