using Microsoft.Extensions.DependencyInjection;
using WxQms.Domain.Rules.Meetings;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Meetings;

/// <summary><c>Checkins:*</c> — when a meeting takes check-ins and how long one code is good for.</summary>
public sealed class CheckinOptions
{
    public const string Section = "Checkins";

    /// <summary>How long before the planned start a secretary may show the code.</summary>
    public TimeSpan OpensBefore { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after the planned start check-ins are still taken.</summary>
    public TimeSpan ClosesAfter { get; set; } = TimeSpan.FromHours(3);

    /// <summary>A check-in later than the planned start plus this is marked late (迟到).</summary>
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the shown code changes.</summary>
    public TimeSpan CodeRefresh { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a replaced code is still accepted (a scan on its way); a code older than refresh + grace is refused.</summary>
    public TimeSpan CodeGrace { get; set; } = TimeSpan.FromSeconds(15);

    public CheckinTimes Times => new(OpensBefore, ClosesAfter, LateAfter, CodeRefresh, CodeGrace);

    public bool Valid => OpensBefore >= TimeSpan.Zero && ClosesAfter > TimeSpan.Zero && LateAfter >= TimeSpan.Zero
        && CodeRefresh >= TimeSpan.FromSeconds(10) && CodeGrace >= TimeSpan.Zero && CodeRefresh + CodeGrace <= TimeSpan.FromMinutes(5);
}

public static class MeetingServiceExtensions
{
    /// <summary>Check-in by scanning, leave requests and feedback on meetings (#18 items 1, 2, 5).</summary>
    public static IServiceCollection AddMeetings(this IServiceCollection services)
    {
        services.AddOptions<CheckinOptions>().BindConfiguration(CheckinOptions.Section)
            .Validate(o => o.Valid, "Checkins: OpensBefore ≥ 0, ClosesAfter > 0, LateAfter ≥ 0, CodeRefresh ≥ 10 s, CodeGrace ≥ 0, CodeRefresh + CodeGrace ≤ 5 min")
            .ValidateOnStart();
        services.AddSingleton<MeetingStore>();
        services.AddSingleton<CheckinService>();
        services.AddSingleton<LeaveService>();
        services.AddSingleton<FeedbackService>();
        return services;
    }
}
