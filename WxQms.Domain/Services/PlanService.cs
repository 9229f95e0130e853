using System.Globalization;
using Microsoft.Extensions.Logging;
using WxQms.Domain.Caching;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services;

public sealed record PlanResult(int Year, int Orgs, int Planned, long Created);

/// <summary>
/// Generates the yearly plan: every org × duty × period of the catalogue (the stored versions, each period under the
/// version in force on its last day), stored once by unique key.
/// Running it again (or for a year already planned, or after an org was added) only adds what is
/// missing, so it is safe from any number of workers and after a crash half way.
/// </summary>
public sealed class PlanService(TaskStore tasks, ITaskCatalogueSource duties, TimeProvider clock, ILogger<PlanService> log)
{
    public async Task<PlanResult> GenerateYearAsync(int year, CancellationToken ct)
    {
        var orgs = await tasks.LoadOrgsForPlanningAsync(ct);
        var planned = PlanGenerator.ForYear(year, orgs, await duties.GetAsync(ct));
        var yearKey = year.ToString(CultureInfo.InvariantCulture);
        var before = await tasks.CountAsync(yearKey, ct);
        log.LogInformation("Plan {Year}: {Tasks} tasks for {Orgs} orgs", year, planned.Count, orgs.Count);

        var lastReported = 0;
        var progress = new Progress<int>(done =>
        {
            if (done - lastReported >= 10_000 || done == planned.Count)
            {
                lastReported = done;
                log.LogInformation("Plan {Year}: {Done}/{Total} tasks stored", year, done, planned.Count);
            }
        });
        await tasks.InsertMissingAsync(planned, clock.GetUtcNow(), progress, ct);

        var created = await tasks.CountAsync(yearKey, ct) - before;
        await tasks.AuditAsync(new AuditEntry(clock.GetUtcNow(), "system", "plan.generated", "plan",
            year, Data: new { Year = year, Orgs = orgs.Count, Planned = planned.Count, Created = created }), ct);
        return new PlanResult(year, orgs.Count, planned.Count, created);
    }

    /// <summary>Keeps this year's plan (and, from December, next year's) complete; cheap when nothing is missing.</summary>
    public async Task CompleteCurrentPlansAsync(DateTimeOffset now, CancellationToken ct)
    {
        var today = Periods.LocalDate(now);
        foreach (var year in today.Month == 12 ? new[] { today.Year, today.Year + 1 } : [today.Year])
        {
            var result = await GenerateYearAsync(year, ct);
            if (result.Created > 0)
                log.LogInformation("Plan {Year}: {Created} new tasks", year, result.Created);
        }
    }
}
