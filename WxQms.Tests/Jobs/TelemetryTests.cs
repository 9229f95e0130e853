using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WxQms.Domain.Hosting;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Wechat;
using WxQms.Sandbox;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Reminders;

namespace WxQms.Tests.Jobs;

/// <summary>
/// Observability (#22 item 3) through the real pipeline: with <c>Telemetry:Prometheus:Enabled</c> the Api's /metrics shows,
/// after a few callbacks and a reminder send, the callbacks' acknowledgement histogram, the reminders sent by channel and the
/// request latency by route; without it there is no /metrics; a WeChat call's log line carries its activity's trace id.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class TelemetryTests(WxQmsApp shared)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_exporter_on_metrics_show_callback_latency_and_reminders_sent_by_channel_and_wechat_log_lines_their_trace()
    {
        var wechatCalls = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == WxQmsTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (wechatCalls) wechatCalls.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = new TelemetryApp();
        var world = new ReminderWorld(app);
        await world.InitializeAsync();
        var pusher = new WechatPusher(app);
        var resident = SandboxUsers.Residents[0].OpenId;

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await pusher.PushAsync(WechatPusher.Text(resident, "帮助", 9_100_000 + i, pusher.Now))).Status);
        var worker = (await world.MembersWithRoleAsync(ReminderWorld.Branch, Roles.Worker)).Single();
        await world.FollowAsync(worker);
        var taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        await app.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(world.Day(20, 14, 30), "党群服务中心", "学习党章"), "test", null, Ct);
        await world.InsertAsync(taskId, "organiser", [worker], world.Day(10, 9));
        await world.SendAsync(world.Day(10, 9));

        using var response = await app.CreateClient().GetAsync("/metrics", Ct);
        var metrics = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Value(metrics, "wxqms_callback_ack_duration_seconds_count", "app=\"oa\"") >= 3, metrics);
        Assert.True(Value(metrics, "wxqms_callback_ack_duration_seconds_bucket", "app=\"oa\"", "le=\"5\"") >= 3);
        Assert.Equal(1, Value(metrics, "wxqms_reminders_total", "status=\"sent\"", "channel=\"oa\""));
        Assert.True(Value(metrics, "http_server_request_duration_seconds_count", "http_route=\"/wechat/callback\"") >= 3);
        Assert.Contains("# TYPE wxqms_outbox_due gauge", metrics);
        Assert.True(Value(metrics, "wxqms_cache_lookups_total", "outcome=") >= 0);
        Assert.DoesNotContain(resident, metrics);
        Assert.DoesNotContain("access_token", metrics);

        // The template send's log line (WxQms.Domain.Wechat.WechatHttp) carries the trace id of the send's activity.
        var send = wechatCalls.Single(a => a.DisplayName == "wechat cgi-bin/message/template/send");
        var line = app.Get<FakeLogCollector>().GetSnapshot()
            .Single(r => r.Category == typeof(WechatHttp).FullName && r.Message.Contains("cgi-bin/message/template/send", StringComparison.Ordinal));
        Assert.Contains(line.Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().SelectMany(s => s),
            kv => kv.Key == "TraceId" && kv.Value?.ToString() == send.TraceId.ToString());
        Assert.DoesNotContain("access_token", line.Message);
    }

    [Fact]
    public async Task Without_the_setting_there_is_no_metrics_endpoint()
    {
        using var response = await shared.CreateClient().GetAsync("/metrics", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    private static double Value(string metrics, string name, params string[] labels)
    {
        var samples = metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal)
            && labels.All(label => l.Contains(label, StringComparison.Ordinal))).ToList();
        Assert.True(samples.Count >= 1, $"no {name} with {string.Join(", ", labels)}");
        return samples.Sum(l => double.Parse(Regex.Match(l, @"\} (\S+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The Api with the Prometheus endpoint on, and every log of ours (down to Debug) collected.</summary>
    private sealed class TelemetryApp : WxQmsApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting(TelemetryExtensions.PrometheusEnabledKey, "true");
            builder.ConfigureServices(s => s.AddFakeLogging());
            builder.ConfigureLogging(l => l.AddFilter<FakeLoggerProvider>("WxQms", LogLevel.Debug));
        }
    }
}
