using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Reminders;
using WxQms.Domain.Rules.Sms;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Sms;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Reminders;

/// <summary>A month's SMS as the office sees it: billing units per kind and org, the budget and what is left of it.</summary>
public sealed record SmsMonthUsage(string Month, int Budget, long Units, long Messages, bool Exhausted, IReadOnlyList<SmsUsage> Rows);

/// <summary>
/// The SMS budget (<c>Sms:MonthlyBudgetUnits</c>, in the provider's billing units: 70 characters a message, 67 a part of a
/// long one, as its answers count them). Once a local month has used it, non-essential kinds no longer go by SMS and the
/// office's staff get one warning notice for that month; essential kinds (<c>Sms:EssentialKinds</c>) still go.
/// </summary>
public sealed class SmsBudget(SmsStore store, IOptionsMonitor<SmsOptions> options, ILogger<SmsBudget> log)
{
    /// <summary>Whether this kind may still go by SMS this month; false (and the office warned once) when the budget is used.</summary>
    public async Task<bool> AllowsAsync(string kind, DateTimeOffset now, CancellationToken ct)
    {
        var s = options.CurrentValue;
        if (s.MonthlyBudgetUnits <= 0 || s.EssentialKinds.Contains(kind, StringComparer.Ordinal))
            return true;
        var month = Periods.Containing(Recurrence.Monthly, now);
        var used = await store.UnitsAsync(month.StartsAt, month.EndsAt, ct);
        if (used < s.MonthlyBudgetUnits)
            return true;
        var warned = await store.WarnOfficeAsync(MonthId(month.Key), Warning(month, used, s.MonthlyBudgetUnits), now, ct);
        if (warned > 0)
            log.LogWarning("SMS budget of {Month} used ({Used} of {Budget} units): non-essential SMS stopped, {Count} office staff warned",
                month.Key, used, s.MonthlyBudgetUnits, warned);
        return false;
    }

    public async Task<SmsMonthUsage> MonthAsync(Period month, CancellationToken ct)
    {
        var rows = await store.UsageAsync(month.StartsAt, month.EndsAt, ct);
        var budget = options.CurrentValue.MonthlyBudgetUnits;
        var units = rows.Sum(r => r.Units);
        return new SmsMonthUsage(month.Key, budget, units, rows.Sum(r => r.Messages), budget > 0 && units >= budget, rows);
    }

    /// <summary>The month as a notice's subject id: 202612.</summary>
    public static long MonthId(string monthKey) => long.Parse(monthKey.Replace("-", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    /// <summary>The warning under the taskWarning template (thing1 事项, date2 日期, phrase3 状态, thing4/character_string4).</summary>
    public static (IReadOnlyDictionary<string, string> Oa, IReadOnlyDictionary<string, string> Mp) Warning(Period month, long used, int budget) =>
        (new Dictionary<string, string>
        {
            ["thing1"] = ReminderContent.Thing($"{month.Key}短信预算已用完"),
            ["date2"] = Periods.Describe(month.FirstDay),
            ["phrase3"] = "预算用完",
            ["thing4"] = ReminderContent.Thing($"已用{used}计费条，预算{budget}"),
        }, new Dictionary<string, string>
        {
            ["thing1"] = ReminderContent.Thing($"{month.Key}短信预算已用完"),
            ["date2"] = Periods.Describe(month.FirstDay),
            ["phrase3"] = "预算用完",
            ["character_string4"] = month.Key.Replace("-", "", StringComparison.Ordinal),
        });
}
