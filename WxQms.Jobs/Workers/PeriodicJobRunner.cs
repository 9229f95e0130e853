using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;

namespace WxQms.Jobs.Workers;

/// <summary>
/// Runs every registered <see cref="IPeriodicJob"/> on its own timer, driven by the
/// <see cref="TimeProvider"/> so tests can advance time. A failing tick is logged and the job runs
/// again at its next tick; one slow job never delays another.
/// </summary>
public sealed class PeriodicJobRunner(IEnumerable<IPeriodicJob> jobs, TimeProvider clock, IOptions<PeriodicJobOptions> options,
    ILogger<PeriodicJobRunner> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var only = options.Value.OnlyNames;
        var selected = jobs.Where(j => only.Count == 0 || only.Contains(j.Name)).ToList();
        if (only.Except(selected.Select(j => j.Name)).ToList() is [_, ..] unknown)
            log.LogWarning("Jobs:Only names jobs this host does not have: {Unknown}", string.Join(", ", unknown));
        return Task.WhenAll(selected.Select(job => Task.Run(() => LoopAsync(job, stoppingToken), stoppingToken)));
    }

    private async Task LoopAsync(IPeriodicJob job, CancellationToken ct)
    {
        log.LogInformation("Job {Job} runs every {Interval}", job.Name, job.Interval);
        using var timer = new PeriodicTimer(job.Interval, clock);
        try
        {
            do
            {
                try
                {
                    await job.RunAsync(clock.GetUtcNow(), ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    log.LogError(ex, "Job {Job} failed; it runs again in {Interval}", job.Name, job.Interval);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}

/// <summary><c>Jobs:Only</c>: a comma-separated list of job names to run in this host; empty runs them all.</summary>
public sealed class PeriodicJobOptions
{
    public const string Section = "Jobs";

    public string? Only { get; set; }

    public IReadOnlySet<string> OnlyNames =>
        (Only ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
