using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Assessment;

/// <summary>A task as the office's spreadsheet lists it (Chinese labels, Shanghai times).</summary>
public sealed record TaskStatusLine(string Org, string Task, string Period, DateTime DueAt, string State, bool AdHoc, decimal Possible,
    decimal Points, int FeedbackCount = 0, decimal? FeedbackAverage = null);

/// <summary>Rows for the office's exports (issue #6): task status of a subtree over a period.</summary>
public sealed class AssessmentExports(AssessmentStore store, ITaskCatalogueSource duties)
{
    public const int MaxRows = 200_000;

    public async Task<IReadOnlyList<TaskStatusLine>> TaskStatusAsync(string scopePath, Period period, CancellationToken ct)
    {
        var rows = await store.LoadTaskStatusAsync(scopePath, period.StartsAt, period.EndsAt, MaxRows, ct);
        var catalogue = await duties.GetAsync(ct);
        return rows.Select(r => new TaskStatusLine(r.Org, Name(catalogue, r.TemplateCode, r.TemplateVersion), r.PeriodKey,
            TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(r.DueAt, DateTimeKind.Utc), Periods.Shanghai),
            TaskTransitions.StatusLabel(DbNames.Parse<TaskState>(r.State)), r.AdHoc, r.Possible, r.Points, (int)r.FeedbackCount,
            r.FeedbackAverage)).ToList();
    }

    /// <summary>Ad-hoc tasks may carry codes outside the catalogue; they show by their code.</summary>
    private static string Name(TaskCatalogue catalogue, string code, int version)
    {
        try
        {
            return catalogue.Get(code, version).Name;
        }
        catch (KeyNotFoundException)
        {
            return code;
        }
    }
}
