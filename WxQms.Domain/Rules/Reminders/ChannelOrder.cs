using WxQms.Domain.Model.Reminders;

namespace WxQms.Domain.Rules.Reminders;

/// <summary>
/// The channels a reminder of a kind tries, in order (<c>Reminders:ChannelOrder:{kind}</c>, e.g. <c>organiser</c> →
/// <c>["sms", "oa", "mp"]</c> for an organiser's T−3 by SMS first). Names are <c>oa</c> (official-account template),
/// <c>mp</c> (mini-program subscribe message) and <c>sms</c>; a kind not configured tries all three in that order, and a
/// channel left out is never tried for that kind. Pure.
/// </summary>
public static class ChannelOrder
{
    public static readonly IReadOnlyList<ReminderChannel> Default = [ReminderChannel.Oa, ReminderChannel.Mp, ReminderChannel.Sms];

    public static IReadOnlyList<ReminderChannel> For(IReadOnlyDictionary<string, List<string>> configured, string kind) =>
        configured.TryGetValue(kind, out var names) && Problem(names) is null ? names.Select(Parse).Select(c => c!.Value).ToList() : Default;

    /// <summary>Why a configured order is not one (empty, an unknown name, a channel twice), or null.</summary>
    public static string? Problem(IReadOnlyList<string> names)
    {
        if (names.Count == 0)
            return "至少一个渠道";
        if (names.FirstOrDefault(n => Parse(n) is null) is { } unknown)
            return $"未知渠道 {unknown}（oa、mp、sms）";
        return names.Select(Parse).Distinct().Count() == names.Count ? null : "渠道重复";
    }

    private static ReminderChannel? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "oa" => ReminderChannel.Oa,
        "mp" => ReminderChannel.Mp,
        "sms" => ReminderChannel.Sms,
        _ => null,
    };
}
