using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Sandbox;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Services;
using WxQms.Domain.Wechat.Callbacks;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Wechat;

/// <summary>
/// WeChat re-delivers a push when our answer is missing or late. The network between the sandbox
/// and our callback loses answers here: the callback runs, but its answer never arrives in time (the
/// test decides which; nothing waits for a deadline to pass).
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class DeliveryRetryTests(WxQmsApp shared) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await shared.SeedDemoAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_late_answer_is_delivered_again_and_the_repeat_gets_the_same_reply_without_a_second_effect()
    {
        await using var app = new SlowNetworkApp(lateAnswers: 1);
        var openid = await FollowerAsync(app);

        var answer = await SendAsync(app, openid, new { msgType = "text", content = "你好" });

        Assert.Equal("replied", answer.GetProperty("outcome").GetString());
        Assert.Equal(2, answer.GetProperty("deliveries").GetInt32());
        Assert.Equal(BotReplies.Help(WxQmsApp.SubdistrictName), answer.GetProperty("reply").GetProperty("text").GetString());
        Assert.Equal(1, await CountTextsAsync(openid));
    }

    [Fact]
    public async Task Three_late_answers_leave_the_user_with_wechats_error_line_and_one_recorded_message()
    {
        await using var app = new SlowNetworkApp(lateAnswers: 3);
        var openid = await FollowerAsync(app);

        var answer = await SendAsync(app, openid, new { msgType = "text", content = "在吗" });

        Assert.Equal("unavailable", answer.GetProperty("outcome").GetString());
        Assert.Equal(SandboxPush.MaxDeliveries, answer.GetProperty("deliveries").GetInt32());
        Assert.Equal(PushResult.UnavailableText, answer.GetProperty("reply").GetProperty("text").GetString());
        Assert.Equal(1, await CountTextsAsync(openid));
    }

    [Fact]
    public async Task An_error_status_is_delivered_again_on_wechats_rhythm_not_at_once()
    {
        await using var app = new ErrorStatusApp(errors: 1);
        var openid = await FollowerAsync(app);

        var answer = await SendAsync(app, openid, new { msgType = "text", content = "你好" });

        Assert.Equal("replied", answer.GetProperty("outcome").GetString());
        Assert.Equal(2, answer.GetProperty("deliveries").GetInt32());
        Assert.Contains("HTTP 500", answer.GetProperty("problems")[0].GetString());
        var gap = app.Log[1] - app.Log[0];
        Assert.True(gap >= ErrorStatusApp.Timeout - TimeSpan.FromMilliseconds(50), $"delivered again after {gap.TotalMilliseconds:0} ms");
    }

    private static async Task<string> FollowerAsync(WxQmsApp app)
    {
        var users = await app.CreateClient().GetFromJsonAsync<JsonElement>("/sandbox/wechat/users?memberId=200", Ct);
        var openid = users.GetProperty("users")[0].GetProperty("openid").GetString()!;
        app.Get<SandboxWechat>().Users.SetFollows(openid, true);
        return openid;
    }

    private static async Task<JsonElement> SendAsync(WxQmsApp app, string openid, object message)
    {
        using var response = await app.CreateClient().PostAsJsonAsync($"/sandbox/wechat/users/{openid}/messages", message, Ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static Task<long> CountTextsAsync(string openid) => ScalarAsync(
        "SELECT COUNT(*) FROM wechat_inbound WHERE from_openid = @openid AND msg_type = 'text'", new { openid });

    private sealed class SlowNetworkApp(int lateAnswers) : WxQmsApp
    {
        protected override TimeSpan DeliveryTimeout => TimeSpan.FromSeconds(30); // roomy: a busy CI machine must not turn a prompt answer into a late one

        protected override HttpMessageHandler CreateCallbackHandler() =>
            new LateAnswers(lateAnswers) { InnerHandler = Server.CreateHandler() };
    }

    private sealed class ErrorStatusApp(int errors) : WxQmsApp
    {
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

        public DeliveryLog Log { get; } = new();

        protected override TimeSpan DeliveryTimeout => Timeout;

        protected override HttpMessageHandler CreateCallbackHandler() =>
            new ErrorAnswers(errors, Log) { InnerHandler = Server.CreateHandler() };
    }

    /// <summary>When each delivery reached the callback, from the test's start.</summary>
    private sealed class DeliveryLog
    {
        private readonly Stopwatch watch = Stopwatch.StartNew();
        private readonly List<TimeSpan> at = [];

        public int Add()
        {
            lock (at)
            {
                at.Add(watch.Elapsed);
                return at.Count;
            }
        }

        public TimeSpan this[int index]
        {
            get
            {
                lock (at)
                    return at[index];
            }
        }
    }

    /// <summary>Answers the first <c>count</c> deliveries with HTTP 500 at once, passes the rest on.</summary>
    private sealed class ErrorAnswers(int count, DeliveryLog log) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
            log.Add() <= count
                ? new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError) { RequestMessage = request }
                : await base.SendAsync(request, ct);
    }

    /// <summary>
    /// Passes the first <c>count</c> requests on, then loses their answers as a deadline passing would: the sandbox's
    /// wait ends in a cancellation it did not ask for.
    /// </summary>
    private sealed class LateAnswers(int count) : DelegatingHandler
    {
        private int seen;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var response = await base.SendAsync(request, ct);
            if (Interlocked.Increment(ref seen) > count)
                return response;
            response.Dispose();
            throw new TaskCanceledException("the answer arrived after WeChat's deadline");
        }
    }
}
