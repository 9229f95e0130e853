using System.Diagnostics;
using System.Text;
using WxQms.Sandbox;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Reminders;

/// <summary>
/// DESIGN's invariant, proven with real processes: two <c>WxQms.Jobs run</c> processes send 400 due
/// reminders through the sandbox on a real port, with WeChat's own client_msg_id de-duplication switched
/// off; one is killed with SIGKILL in the middle of a batch and started again. Every reminder is
/// accepted by "WeChat" exactly once, and our records agree.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class ReminderCrashTests : IAsyncLifetime
{
    private const int Members = 200;
    private const int RatePerSecond = 100;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly PhoneApp api = new(realClock: true);
    private readonly List<JobsProcess> processes = [];

    public async ValueTask InitializeAsync() => await api.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        api.TemplateSends.Open();
        foreach (var p in processes)
            p.Dispose();
        await api.DisposeAsync();
    }

    [Fact]
    public async Task A_sender_killed_mid_batch_loses_nothing_and_repeats_nothing()
    {
        var world = new ReminderWorld(api);
        await world.InitializeAsync();
        var sandbox = api.Get<SandboxWechat>();
        sandbox.Messages.DeduplicateClientMsgIds = false;
        var taskId = await world.TaskIdAsync(ReminderWorld.Branch, TaskCodes.ThemePartyDay);
        await api.Get<TaskCommands>().ReportPlanAsync(taskId, 1, new PlanReport(world.Day(20, 14, 30), "党群服务中心", "学习党章"),
            "test", null, Ct);
        var members = (await TestDb.QueryAsync<long>("SELECT id FROM members ORDER BY id LIMIT @Members", new { Members })).ToArray();
        foreach (var m in members)
            await world.FollowAsync(m);
        // Due now by the real clock, which the Jobs processes run on.
        var due = DateTimeOffset.UtcNow.AddMinutes(-1);
        var ids = (await world.InsertAsync(taskId, "organiser", members, due)).Concat(await world.InsertAsync(taskId, "members", members, due))
            .ToArray();

        using var pushes = new CancellationTokenSource();
        var delivering = DeliverPushesAsync(pushes.Token);     // WeChat's delivery reports reach our callback
        var a = Start("a");
        var b = Start("b");
        await WaitUntilAsync(() => Accepted(sandbox) >= 100, TimeSpan.FromSeconds(60), "100 sends accepted", a, b);
        // WeChat holds the sends: both senders end up waiting on one with a batch in hand, and the kill lands there.
        api.TemplateSends.Close();
        await WaitUntilAsync(async () => api.TemplateSends.Waiting >= 2 && await HeldByAsync(a) > 0, TimeSpan.FromSeconds(60),
            "both senders waiting on a send", a, b);
        a.Kill();
        var heldByKilled = await HeldByAsync(a);
        var acceptedAtKill = Accepted(sandbox);
        api.TemplateSends.Open();
        Start("a again");
        await WaitUntilAsync(async () => await TestDb.ScalarAsync(
            "SELECT COUNT(*) FROM reminders WHERE status = 'sent'") == ids.Length, TimeSpan.FromSeconds(90), "every reminder sent", processes.ToArray());
        await pushes.CancelAsync();
        await delivering;

        var accepted = sandbox.Messages.AcceptedByClientMsgId;
        var adopted = await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_delivery_orphans WHERE adopted_by IS NOT NULL");
        TestContext.Current.SendDiagnosticMessage(
            $"killed holding {heldByKilled} reminders after {acceptedAtKill} sends; {adopted} in-doubt sends adopted from delivery reports");
        Assert.True(heldByKilled > 0, "the kill must land while the killed sender held a batch");
        Assert.InRange(acceptedAtKill, 100, ids.Length - 1);
        Assert.Equal(ids.Length, accepted.Count);
        Assert.All(ids, id => Assert.Equal(1, accepted.GetValueOrDefault($"reminder-{id}")));
        Assert.Equal(ids.Length, await TestDb.ScalarAsync("SELECT COUNT(*) FROM wechat_outbound WHERE errcode = 0"));
        Assert.Equal(ids.Length, await TestDb.ScalarAsync(
            "SELECT COUNT(DISTINCT r.outbound_id) FROM reminders r JOIN wechat_outbound w ON w.id = r.outbound_id WHERE r.status = 'sent'"));
    }

    private static Task<long> HeldByAsync(JobsProcess sender) => TestDb.ScalarAsync(
        "SELECT COUNT(*) FROM reminders WHERE status = 'sending' AND locked_by LIKE @pid", new { pid = $"%:{sender.Pid}:%" });

    private static int Accepted(SandboxWechat sandbox) => sandbox.Messages.AcceptedByClientMsgId.Values.Sum();

    private async Task DeliverPushesAsync(CancellationToken ct)
    {
        var sandbox = api.Get<SandboxWechat>();
        var push = api.Get<SandboxPush>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await SandboxConversation.DeliverPendingAsync(sandbox, push, CancellationToken.None);
                await Task.Delay(200, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
        await SandboxConversation.DeliverPendingAsync(sandbox, push, CancellationToken.None);
    }

    private JobsProcess Start(string name)
    {
        var settings = api.Settings;
        settings["Wechat:ApiBase"] = $"{api.BaseAddress}sandbox/wechat".Replace("//sandbox", "/sandbox", StringComparison.Ordinal);
        settings["Wechat:OpenBase"] = $"{api.BaseAddress}sandbox/open".Replace("//sandbox", "/sandbox", StringComparison.Ordinal);
        settings["Wechat:Sandbox:Enabled"] = "false";
        settings["Jobs:Only"] = "reminder-send";
        settings["Reminders:RatePerSecond"] = RatePerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Reminders:BatchSize"] = "20";
        settings["Reminders:SendInterval"] = "00:00:00.200";
        settings["Reminders:Lease"] = "00:00:05";
        settings["Reminders:InDoubtWait"] = "00:00:03";
        settings["Logging:LogLevel:Default"] = "Warning";
        var process = JobsProcess.Start(name, settings);
        processes.Add(process);
        return process;
    }

    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, string what, params JobsProcess[] running) =>
        await WaitUntilAsync(() => Task.FromResult(done()), timeout, what, running);

    private static async Task WaitUntilAsync(Func<Task<bool>> done, TimeSpan timeout, string what, params JobsProcess[] running)
    {
        var stopAt = DateTime.UtcNow + timeout;
        while (!await done())
        {
            if (DateTime.UtcNow > stopAt)
                Assert.Fail($"timed out waiting for {what}; the Jobs processes said:\n"
                    + string.Join("\n", running.Select(p => $"--- {p.Name} ---\n{p.Output}")));
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>A real <c>WxQms.Jobs run</c> process, started from the Jobs project's own build output.</summary>
    private sealed class JobsProcess : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();

        private JobsProcess(string name, Process process)
        {
            Name = name;
            this.process = process;
        }

        public string Name { get; }

        public int Pid => process.Id;

        public string Output
        {
            get
            {
                lock (output)
                    return output.ToString();
            }
        }

        public static JobsProcess Start(string name, IReadOnlyDictionary<string, string?> settings)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(JobsDll());
            info.ArgumentList.Add("run");
            foreach (var (key, value) in settings)
            {
                if (value is not null)
                    info.ArgumentList.Add($"--{key}={value}");
            }
            info.Environment["DOTNET_ENVIRONMENT"] = "Development";
            var started = new JobsProcess(name, Process.Start(info)!);
            started.process.OutputDataReceived += (_, e) => started.Append(e.Data);
            started.process.ErrorDataReceived += (_, e) => started.Append(e.Data);
            started.process.BeginOutputReadLine();
            started.process.BeginErrorReadLine();
            return started;
        }

        /// <summary>SIGKILL on Linux: no shutdown hooks, no finally blocks, the way a crash or an OOM kill ends it.</summary>
        public void Kill()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        public void Dispose()
        {
            if (!process.HasExited)
                Kill();
            process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
                return;
            lock (output)
                output.AppendLine(line);
        }

        /// <summary>WxQms.Jobs/bin/{Configuration}/net10.0/WxQms.Jobs.dll beside this test assembly's own output.</summary>
        private static string JobsDll()
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var framework = testBin.Name;                          // net10.0
            var configuration = testBin.Parent!.Name;              // Debug | Release
            var repo = testBin.Parent!.Parent!.Parent!.Parent!.FullName;
            var dll = Path.Combine(repo, "WxQms.Jobs", "bin", configuration, framework, "WxQms.Jobs.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build WxQms.Jobs first (the test project references it)", dll);
        }
    }
}
