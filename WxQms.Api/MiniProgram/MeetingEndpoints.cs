using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model.Meetings;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Meetings;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

public sealed record ShowCodeBody(long TaskId);

/// <summary>A check-in code as the secretary's phone shows it: the QR image (PNG, data URL), the url it encodes, when to fetch the next.</summary>
public sealed record CheckinCodeDto(long TaskId, string TaskName, string Url, string Image, DateTimeOffset IssuedAt, DateTimeOffset RefreshAt,
    DateTimeOffset? PlannedFor);

public sealed record ScanBody(string? Code);

public sealed record CheckinDto(long TaskId, string TaskName, DateTimeOffset CheckedInAt, bool Late, bool Already);

public sealed record HandCheckinBody(long TaskId, long MemberId);

public sealed record LeaveBody(long TaskId, string? Reason);

public sealed record LeaveDecisionBody(bool Approve, string? Note);

public sealed record FeedbackBody(long TaskId, int Rating, string? Comment);

public sealed record FeedbackDto(FeedbackSummary Summary, bool MayRate);

/// <summary>
/// Members' own part of a meeting (#18 items 1, 2, 5): check-in codes and check-ins (<c>/api/mp/checkins…</c>), leave
/// requests (<c>/api/mp/leave-requests…</c>) and feedback (<c>/api/mp/meeting-feedback…</c>). The services decide who may.
/// </summary>
public static class MeetingEndpoints
{
    public static IEndpointRouteBuilder MapMpMeetings(this IEndpointRouteBuilder app)
    {
        var checkins = app.MapGroup("/api/mp/checkins").WithTags("Mini program: check-in, leave, feedback").RequireAuthorization(MpAuth.Policy);
        checkins.MapPost("/codes", ShowCode).WithSummary("The secretary's check-in code for a planned meeting (a new one every Checkins:CodeRefresh)");
        checkins.MapPost("/", Scan).WithSummary("Check in with a scanned code (wx.scanCode's result)");
        checkins.MapGet("/", Draft).WithSummary("A meeting's roster with its check-ins and leave: what the evidence form starts from");
        checkins.MapPost("/by-hand", ByHand).WithSummary("The secretary checks a member in by hand (one not bound to WeChat)");

        var leave = app.MapGroup("/api/mp/leave-requests").WithTags("Mini program: check-in, leave, feedback").RequireAuthorization(MpAuth.Policy);
        leave.MapGet("/", Leaves).WithSummary("A meeting's leave requests (its secretary), or without taskId my own");
        leave.MapGet("/meetings", Upcoming).WithSummary("The planned meetings ahead I may ask leave for");
        leave.MapPost("/", AskLeave).WithSummary("Ask leave from a planned meeting, with a reason");
        leave.MapPost("/{id:long}/decision", Decide).WithSummary("The secretary approves or refuses a leave request (the member is told)");

        var feedback = app.MapGroup("/api/mp/meeting-feedback").WithTags("Mini program: check-in, leave, feedback").RequireAuthorization(MpAuth.Policy);
        feedback.MapGet("/{id:long}", Feedback).WithSummary("A meeting's feedback in aggregate (comments for the committee and the office)");
        feedback.MapPost("/", Rate).WithSummary("Rate a meeting I attended, 1–5 with a comment, once, anonymously");
        return app;
    }

    private static ProblemHttpResult NotBound() =>
        Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_bound");

    internal static async Task<Results<Ok<CheckinCodeDto>, ProblemHttpResult>> ShowCode(ShowCodeBody body, CurrentUser user, CheckinService checkins,
        CancellationToken ct)
    {
        if (user.MemberId is null)
            return NotBound();
        var code = await checkins.ShowAsync(body.TaskId, TaskEndpoints.Viewer(user), ct);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(code.Url, QRCodeGenerator.ECCLevel.M);
        var png = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(8));
        return TypedResults.Ok(new CheckinCodeDto(code.TaskId, code.TaskName, code.Url, png, code.IssuedAt, code.RefreshAt, code.PlannedFor));
    }

    internal static async Task<Results<Ok<CheckinDto>, ProblemHttpResult>> Scan(ScanBody body, CurrentUser user, CheckinService checkins,
        Microsoft.Extensions.Options.IOptionsMonitor<CheckinOptions> options, CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return NotBound();
        var r = await checkins.ScanFromMiniProgramAsync(memberId, body.Code, ct);
        var text = CheckinReplies.For(r, options.CurrentValue.Times);
        return r.Outcome switch
        {
            CheckinOutcome.CheckedIn or CheckinOutcome.Already =>
                TypedResults.Ok(new CheckinDto(r.TaskId!.Value, r.TaskName!, r.At!.Value, r.Late, r.Outcome == CheckinOutcome.Already)),
            CheckinOutcome.UnknownCode => Problem(StatusCodes.Status404NotFound, "未找到", text, "checkin.unknown_code"),
            CheckinOutcome.CodeExpired => Problem(StatusCodes.Status409Conflict, "签到码已过期", text, "checkin.code_expired"),
            CheckinOutcome.TooEarly => Problem(StatusCodes.Status409Conflict, "未到签到时间", text, "checkin.not_open"),
            CheckinOutcome.Closed => Problem(StatusCodes.Status409Conflict, "签到已结束", text, "checkin.closed"),
            _ => Problem(StatusCodes.Status403Forbidden, "无权签到", text, "checkin.not_member"),
        };
    }

    internal static async Task<Results<Ok<IReadOnlyList<AttendanceDraftRow>>, ProblemHttpResult>> Draft(long? taskId, CurrentUser user,
        CheckinService checkins, CancellationToken ct)
    {
        if (taskId is not { } id)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "请指定会议（taskId）", "request.invalid");
        return TypedResults.Ok(await checkins.DraftAsync(id, TaskEndpoints.Viewer(user), ct));
    }

    internal static async Task<Results<Ok<Checkin>, ProblemHttpResult>> ByHand(HandCheckinBody body, CurrentUser user, CheckinService checkins,
        CancellationToken ct)
    {
        if (user.MemberId is null)
            return NotBound();
        return TypedResults.Ok(await checkins.MarkByHandAsync(body.TaskId, body.MemberId, TaskEndpoints.Viewer(user), ct));
    }

    internal static async Task<Results<Ok<IReadOnlyList<LeaveRequest>>, ProblemHttpResult>> Leaves(long? taskId, CurrentUser user, LeaveService leave,
        CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return NotBound();
        return TypedResults.Ok(taskId is { } id ? await leave.OfTaskAsync(id, TaskEndpoints.Viewer(user), ct) : await leave.MineAsync(memberId, ct));
    }

    internal static async Task<Results<Ok<IReadOnlyList<LeaveMeeting>>, ProblemHttpResult>> Upcoming(CurrentUser user, LeaveService leave,
        CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return NotBound();
        return TypedResults.Ok(await leave.UpcomingAsync(memberId, ct));
    }

    internal static async Task<Results<Created<LeaveRequest>, ProblemHttpResult>> AskLeave(LeaveBody body, CurrentUser user, LeaveService leave,
        CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return NotBound();
        var request = await leave.AskAsync(memberId, body.TaskId, body.Reason, ct);
        return TypedResults.Created($"/api/mp/leave-requests?taskId={request.TaskId}", request);
    }

    internal static async Task<Results<Ok<LeaveRequest>, ProblemHttpResult>> Decide(long id, LeaveDecisionBody body, CurrentUser user,
        LeaveService leave, CancellationToken ct)
    {
        if (user.MemberId is null)
            return NotBound();
        return TypedResults.Ok(await leave.DecideAsync(id, body.Approve, body.Note, TaskEndpoints.Viewer(user), ct));
    }

    internal static async Task<Results<Ok<FeedbackDto>, ProblemHttpResult>> Feedback(long id, CurrentUser user, FeedbackService feedback,
        CancellationToken ct)
    {
        var (summary, mayRate) = await feedback.SummaryAsync(id, TaskEndpoints.Viewer(user), ct);
        return TypedResults.Ok(new FeedbackDto(summary, mayRate));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Rate(FeedbackBody body, CurrentUser user, FeedbackService feedback,
        CancellationToken ct)
    {
        await feedback.RateAsync(body.TaskId, body.Rating, body.Comment, TaskEndpoints.Viewer(user), ct);
        return TypedResults.NoContent();
    }
}
