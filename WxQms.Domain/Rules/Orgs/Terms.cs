using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Orgs;

/// <summary>An org's term (换届): elected on a day for some years, ending on the same day that many years later.</summary>
public sealed record OrgTerm(long Id, long OrgId, DateOnly ElectedOn, int Years, DateOnly EndsOn, bool Reminded6, bool Reminded3);

/// <summary>The two reminders before a term ends, each sent once per term.</summary>
public enum TermReminder
{
    /// <summary>Six months before the end.</summary>
    SixMonths,
    /// <summary>Three months before the end.</summary>
    ThreeMonths,
}

/// <summary>
/// Terms and their reminders (DUTIES.md A.1: 党章 art. 31, 3 to 5 years; re-elect on time, postponing needs the higher
/// organisation's approval). Pure: today (Shanghai) comes in as an argument.
/// </summary>
public static class Terms
{
    public const string Regulation = "《中国共产党章程》第三十一条（党的基层委员会、总支部委员会、支部委员会每届任期三年至五年）；"
        + OrgRules.Tiaoli + "（任期届满应当按期进行换届选举）";

    public const int MinYears = 1;
    public const int MaxYears = 5;

    /// <summary>The kinds that elect a committee for a term (a party group does not).</summary>
    public static bool HasTerm(OrgKind kind) => kind != OrgKind.PartyGroup;

    public static DateOnly EndsOn(DateOnly electedOn, int years) => electedOn.AddYears(years);

    public static DateOnly ReminderDay(DateOnly endsOn, TermReminder reminder) =>
        endsOn.AddMonths(reminder == TermReminder.SixMonths ? -6 : -3);

    /// <summary>
    /// The reminder due today that has not gone yet, or null. A term first seen within three months of its end gets only
    /// the three-month one (the six-month one would say less, later): the caller marks both sent then.
    /// </summary>
    public static TermReminder? Due(OrgTerm term, DateOnly today)
    {
        if (!term.Reminded3 && today >= ReminderDay(term.EndsOn, TermReminder.ThreeMonths))
            return TermReminder.ThreeMonths;
        if (!term.Reminded6 && !term.Reminded3 && today >= ReminderDay(term.EndsOn, TermReminder.SixMonths))
            return TermReminder.SixMonths;
        return null;
    }

    /// <summary>Whether the console lists the term as expiring soon: within six months of its end, or past it.</summary>
    public static bool ExpiringSoon(DateOnly endsOn, DateOnly today) => today >= ReminderDay(endsOn, TermReminder.SixMonths);

    /// <summary>How the console says where a term stands.</summary>
    public static string Describe(DateOnly endsOn, DateOnly today)
    {
        var days = endsOn.DayNumber - today.DayNumber;
        return days switch
        {
            < 0 => $"已于 {endsOn:yyyy-MM-dd} 到期，逾期 {-days} 天未换届",
            0 => "今天到期",
            _ => $"{endsOn:yyyy-MM-dd} 到期，还有 {days} 天",
        };
    }

    /// <summary>The outbox's kind of each reminder (at most 16 characters).</summary>
    public static string Kind(TermReminder reminder) => reminder == TermReminder.SixMonths ? "term_6m" : "term_3m";

    /// <summary>The form's error for a term, or null.</summary>
    public static string? YearsError(int years) => years is < MinYears or > MaxYears ? $"任期应为 {MinYears}–{MaxYears} 年" : null;
}
