using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace WxQms.Tests.Infrastructure;

/// <summary>
/// A gate in front of the requests to one path: open, they pass; closed, each waits (and is counted) until it opens. A
/// held request has been read whole and no longer hears its caller hang up, as a request that reached WeChat: a test
/// decides when a call is "in flight" instead of making calls slow and hoping.
/// </summary>
public sealed class RequestGate(string pathSuffix)
{
    private readonly string suffix = pathSuffix;
    private readonly Lock sync = new();
    private TaskCompletionSource open = Opened();
    private int waiting;

    /// <summary>Requests held now.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    public void Close()
    {
        lock (sync)
        {
            if (open.Task.IsCompleted)
                open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Open()
    {
        lock (sync)
            open.TrySetResult();
    }

    /// <summary>Put in front of the app's own middleware.</summary>
    public IStartupFilter Filter() => new GateFilter(this);

    private async Task PassAsync(HttpContext http)
    {
        Task opened;
        lock (sync)
            opened = open.Task;
        if (opened.IsCompleted)
            return;
        http.Request.EnableBuffering();
        await http.Request.Body.CopyToAsync(Stream.Null);
        http.Request.Body.Position = 0;
        http.RequestAborted = CancellationToken.None;
        Interlocked.Increment(ref waiting);
        try
        {
            await opened;
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }

    private static TaskCompletionSource Opened()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private sealed class GateFilter(RequestGate gate) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, rest) =>
            {
                if (http.Request.Path.Value?.EndsWith(gate.suffix, StringComparison.Ordinal) == true)
                    await gate.PassAsync(http);
                await rest(http);
            });
            next(app);
        };
    }
}
