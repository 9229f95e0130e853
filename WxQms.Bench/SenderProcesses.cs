using System.Diagnostics;
using Dapper;
using MySqlConnector;

namespace WxQms.Bench;

/// <summary>
/// Two real <c>WxQms.Jobs run --Jobs:Only=reminder-send</c> processes sharing one rate, as the sender benchmarks
/// (reminder-send, reminder-burst, sms-send) run them: started on the sandbox Api, left until every reminder has
/// left the queue (or three times the ideal time and a minute have passed), then killed.
/// </summary>
internal static class SenderProcesses
{
    public static Process[] StartTwo(string jobsDll, string apiBase, string mysql, string redis, int rate, params string[] extra) =>
        [Start(jobsDll, apiBase, mysql, redis, rate, extra), Start(jobsDll, apiBase, mysql, redis, rate, extra)];

    /// <summary>Waits until <paramref name="count"/> reminders are neither pending nor sending, or the time is up.</summary>
    public static async Task WaitUntilSentAsync(MySqlDataSource db, long count, int rate)
    {
        var stopAt = DateTime.UtcNow.AddSeconds(count / (double)rate * 3 + 60);
        long done;
        do
        {
            await Task.Delay(500);
            await using var conn = await db.OpenConnectionAsync();
            done = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM reminders WHERE status NOT IN ('pending', 'sending')");
        }
        while (done < count && DateTime.UtcNow < stopAt);
    }

    public static async Task StopAsync(IEnumerable<Process> workers)
    {
        foreach (var w in workers)
        {
            w.Kill(entireProcessTree: true);
            await w.WaitForExitAsync();
        }
    }

    private static Process Start(string jobsDll, string apiBase, string mysql, string redis, int rate, string[] extra)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = false };
        foreach (var a in new[]
                 {
                     jobsDll, "run", "--Jobs:Only=reminder-send", $"--ConnectionStrings:MySql={mysql}", $"--ConnectionStrings:Redis={redis}",
                     $"--Wechat:ApiBase={apiBase}/sandbox/wechat", $"--Reminders:RatePerSecond={rate}", "--Reminders:SendInterval=00:00:00.200",
                     "--Logging:LogLevel:Default=Warning",
                 }.Concat(extra))
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_ENVIRONMENT"] = "Sandbox";
        return Process.Start(info)!;
    }
}
