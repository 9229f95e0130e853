using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WxQms.Jobs.Workers;

namespace WxQms.Tests.Jobs;

public sealed class PeriodicJobRunnerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Runs_each_job_at_start_and_then_once_per_interval_of_its_clock()
    {
        var clock = new FakeTimeProvider(Start);
        var job = new RecordingJob(TimeSpan.FromMinutes(1));
        var runner = new PeriodicJobRunner([job], clock, Options.Create(new PeriodicJobOptions()), NullLogger<PeriodicJobRunner>.Instance);

        await runner.StartAsync(TestContext.Current.CancellationToken);
        await job.WaitForRunsAsync(1);
        clock.Advance(TimeSpan.FromMinutes(1));
        await job.WaitForRunsAsync(2);
        clock.Advance(TimeSpan.FromMinutes(1));
        await job.WaitForRunsAsync(3);
        await runner.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal([Start, Start.AddMinutes(1), Start.AddMinutes(2)], job.Runs);
    }

    [Fact]
    public async Task A_failing_tick_does_not_stop_the_job()
    {
        var clock = new FakeTimeProvider(Start);
        var job = new RecordingJob(TimeSpan.FromSeconds(30), failFirst: true);
        var runner = new PeriodicJobRunner([job], clock, Options.Create(new PeriodicJobOptions()), NullLogger<PeriodicJobRunner>.Instance);

        await runner.StartAsync(TestContext.Current.CancellationToken);
        await job.WaitForRunsAsync(1);
        clock.Advance(TimeSpan.FromSeconds(30));
        await job.WaitForRunsAsync(2);
        await runner.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, job.Runs.Count);
    }

    private sealed class RecordingJob(TimeSpan interval, bool failFirst = false) : IPeriodicJob
    {
        private readonly List<DateTimeOffset> runs = [];
        private readonly SemaphoreSlim ran = new(0);

        public string Name => "recording";

        public TimeSpan Interval => interval;

        public IReadOnlyList<DateTimeOffset> Runs
        {
            get { lock (runs) return runs.ToList(); }
        }

        public Task RunAsync(DateTimeOffset now, CancellationToken ct)
        {
            int count;
            lock (runs)
            {
                runs.Add(now);
                count = runs.Count;
            }
            ran.Release();
            return failFirst && count == 1 ? throw new InvalidOperationException("first tick fails") : Task.CompletedTask;
        }

        public async Task WaitForRunsAsync(int count)
        {
            while (Runs.Count < count)
                Assert.True(await ran.WaitAsync(TimeSpan.FromSeconds(10)), $"job ran {Runs.Count} times, expected {count}");
        }
    }
}
