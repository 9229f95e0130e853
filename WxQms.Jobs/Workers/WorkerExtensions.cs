using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;

namespace WxQms.Jobs.Workers;

public static class WorkerExtensions
{
    /// <summary>
    /// Runs <typeparamref name="TWorker"/> in this host as the job <paramref name="name"/> (what <c>Jobs:Only</c> names),
    /// every <paramref name="interval"/> unless <c>Jobs:&lt;Job&gt;:Interval</c> says otherwise (checked at start).
    /// </summary>
    public static IServiceCollection AddWorker<TWorker>(this IServiceCollection services, string name, TimeSpan interval)
        where TWorker : class, IWorker =>
        services.AddWorker<TWorker>(name, _ => interval);

    /// <summary>As above, with a default interval taken from the services (another setting that named it before).</summary>
    public static IServiceCollection AddWorker<TWorker>(this IServiceCollection services, string name,
        Func<IServiceProvider, TimeSpan> interval)
        where TWorker : class, IWorker
    {
        var section = WorkerOptions.SectionOf(name);
        services.TryAddSingleton<TWorker>();
        services.AddOptions<WorkerOptions>(name)
            .Configure<IServiceProvider>((o, sp) => o.Interval = interval(sp))
            .BindConfiguration(section)
            .Validate(o => o.Interval > TimeSpan.Zero && o.Interval <= WorkerOptions.MaxInterval,
                $"{section}:Interval must be more than zero and at most {WorkerOptions.MaxInterval:c}")
            .ValidateOnStart();
        return services.AddSingleton<IPeriodicJob>(sp =>
            new ScheduledWorker(name, sp.GetRequiredService<TWorker>(), sp.GetRequiredService<IOptionsMonitor<WorkerOptions>>()));
    }

    /// <summary>A worker as the runner sees it: its name, its configured interval, its tick.</summary>
    private sealed class ScheduledWorker(string name, IWorker worker, IOptionsMonitor<WorkerOptions> options) : IPeriodicJob
    {
        public string Name => name;

        public TimeSpan Interval => options.Get(name).Interval;

        public Task RunAsync(DateTimeOffset now, CancellationToken ct) => worker.RunAsync(now, ct);
    }
}
