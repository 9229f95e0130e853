using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Domain.Rules.Dues;
using WxQms.Domain.Services.Dues;
using WxQms.Domain.Services.Pay;
using WxQms.Domain.Wechat;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.Dues;

/// <summary>The months to pay, as "2026-10", and what she pays above them of her own will (自愿多交, fen).</summary>
public sealed record DuesPayBody(IReadOnlyList<string>? Months, int? VoluntaryFen);

/// <summary>A member's base for a year: category (employed, retired, student, unemployed, hardship), the base in fen, a special lower amount with its reason.</summary>
public sealed record DuesBaseBody(int? Year, string? Category, int BaseFen, int? SpecialFen, string? SpecialReason);

/// <summary>A payment made offline: AmountFen against the months, VoluntaryFen above them (自愿多交), the receipt's number.</summary>
public sealed record DuesCashBody(IReadOnlyList<string>? Months, int AmountFen, string? ReceiptNo, int? VoluntaryFen);

public sealed record DuesWaiveBody(string? Month, string? Reason);

/// <summary>Why a member has not paid a month yet, as the branch records it (the month stays owed).</summary>
public sealed record DuesReasonBody(string? Month, string? Reason);

public sealed record DuesHandUpBody(int AmountFen, string? Reference);

public sealed record DuesPublishBody(int Year);

/// <summary>A member's own base for a year (this year when none): category and the base in fen (for a farmer, the province's monthly amount).</summary>
public sealed record DuesDeclareBody(int? Year, string? Category, int BaseFen);

/// <summary>The secretary's decision on a member's declaration of a year (this year when none); a refusal needs its reason.</summary>
public sealed record DuesDeclarationDecisionBody(int? Year, string? Reason);

/// <summary>A base as recorded: the monthly amount and how it was worked out.</summary>
public sealed record DuesAmountDto(int MonthlyFen, int StandardFen, string Explanation);

/// <summary>
/// Party dues in the mini program: 我的党费 (GET /api/mp/dues/mine, POST /api/mp/dues/pay: an order through WeChat Pay for months
/// chosen in order), and the branch's ledger for its secretary and worker (bases, cash payments, waivers, hand-ups, publishing
/// the yearly disclosure). The rules and who may do what are the Domain's (DuesService).
/// </summary>
public static class DuesEndpoints
{
    public static void MapMpDues(this IEndpointRouteBuilder app)
    {
        var dues = app.MapGroup("/api/mp/dues").WithTags("Mini program: dues").RequireAuthorization(MpAuth.Policy);
        dues.MapGet("/mine", Mine).WithSummary("我的党费: my amount, how it was worked out, this year's months, what I owe and may pay ahead");
        dues.MapPost("/pay", Pay).WithSummary("Start a WeChat Pay order for my months (chosen in order, ahead up to December); answers wx.requestPayment's parameters");
        dues.MapGet("/branches/{id:long}", Branch).WithSummary("A branch's dues ledger: members and months, collected, handed up, balance, arrears (secretary, worker, staff)");
        dues.MapPut("/members/{id:long}/base", SetBase).WithSummary("Record a member's base for a year (and a special lower amount with its reason)");
        dues.MapPost("/members/{id:long}/cash", Cash).WithSummary("Record a payment made offline with its receipt number");
        dues.MapPost("/members/{id:long}/waive", Waive).WithSummary("Waive an open month with the approval's reason");
        dues.MapPost("/members/{id:long}/reason", Reason)
            .WithSummary("Record why a member has not paid a month yet: it stays owed, counts as settled for the branch's 党费收缴 task and not towards six months without a reason");
        dues.MapPost("/branches/{id:long}/hand-ups", HandUp).WithSummary("Record dues handed up to the superior (上缴) with its reference");
        dues.MapGet("/mine/declarations", MyDeclarations).WithSummary("My declarations of my base (this year and next) and what the secretary decided");
        dues.MapPost("/mine/declaration", Declare).WithSummary("Declare my own base for a year; it waits for my branch secretary to confirm it");
        dues.MapGet("/branches/{id:long}/declarations", BranchDeclarations)
            .WithSummary("The branch members' declarations of their base, those waiting first (secretary, worker, staff)");
        dues.MapPost("/members/{id:long}/declaration/confirm", ConfirmDeclaration)
            .WithSummary("Confirm a member's declared base: it becomes her base of that year (the branch secretary or office staff)");
        dues.MapPost("/members/{id:long}/declaration/refuse", RefuseDeclaration)
            .WithSummary("Send a member's declared base back with the reason she reads (the branch secretary or office staff)");
        dues.MapPost("/branches/{id:long}/publish", Publish).WithSummary("Publish the year's disclosure (/h5/dues/{orgId}/{year}); the branch secretary");
    }

    internal static async Task<Results<Ok<MyDues>, ProblemHttpResult>> Mine(int? year, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_member");
        return TypedResults.Ok(await dues.MineAsync(memberId, year, ct));
    }

    internal static async Task<Results<Ok<RequestPaymentParams>, ProblemHttpResult>> Pay(DuesPayBody body, CurrentUser user, DuesService dues,
        IOptions<WechatOptions> wechat, [FromServices] IPayOrders? pay, CancellationToken ct)
    {
        if (user.MemberId is not { } memberId || user.WechatUserId is not { } wechatUserId)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_member");
        return TypedResults.Ok(await dues.PayAsync(memberId, wechatUserId, wechat.Value.Mp.AppId, body.Months, body.VoluntaryFen ?? 0, pay, ct));
    }

    internal static async Task<Ok<BranchDues>> Branch(long id, int? year, CurrentUser user, DuesService dues, CancellationToken ct) =>
        TypedResults.Ok(await dues.BranchAsync(id, year, user.Roles, ct));

    internal static async Task<Results<Ok<DuesAmountDto>, ProblemHttpResult>> SetBase(long id, DuesBaseBody body, CurrentUser user,
        DuesService dues, CancellationToken ct)
    {
        var amount = await dues.SetBaseAsync(id, body.Year ?? dues.CurrentMonth.Year, body.Category, body.BaseFen, body.SpecialFen,
            body.SpecialReason, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.Ok(new DuesAmountDto(amount.MonthlyFen, amount.StandardFen, amount.Explanation));
    }

    internal static async Task<NoContent> Cash(long id, DuesCashBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.RecordCashAsync(id, body.Months, body.AmountFen, body.VoluntaryFen ?? 0, body.ReceiptNo, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> Waive(long id, DuesWaiveBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.WaiveAsync(id, body.Month ?? "", body.Reason, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> Reason(long id, DuesReasonBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.RecordReasonAsync(id, body.Month ?? "", body.Reason, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> HandUp(long id, DuesHandUpBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.HandUpAsync(id, body.AmountFen, body.Reference, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<IReadOnlyList<DuesDeclarationView>>, ProblemHttpResult>> MyDeclarations(CurrentUser user,
        DuesDeclarationService declarations, CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_member");
        return TypedResults.Ok(await declarations.MineAsync(memberId, ct));
    }

    internal static async Task<Results<Ok<DuesDeclarationView>, ProblemHttpResult>> Declare(DuesDeclareBody body, CurrentUser user,
        DuesDeclarationService declarations, CancellationToken ct)
    {
        if (user.MemberId is not { } memberId)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "请先绑定党员身份", "auth.not_member");
        return TypedResults.Ok(await declarations.DeclareAsync(memberId, body.Year, body.Category, body.BaseFen, TaskEndpoints.Actor(user), ct));
    }

    internal static async Task<Ok<IReadOnlyList<DuesDeclarationView>>> BranchDeclarations(long id, CurrentUser user,
        DuesDeclarationService declarations, CancellationToken ct) =>
        TypedResults.Ok(await declarations.BranchAsync(id, user.Roles, ct));

    internal static async Task<Ok<DuesAmountDto>> ConfirmDeclaration(long id, DuesDeclarationDecisionBody body, CurrentUser user,
        DuesDeclarationService declarations, CancellationToken ct)
    {
        var amount = await declarations.ConfirmAsync(id, body.Year, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.Ok(new DuesAmountDto(amount.MonthlyFen, amount.StandardFen, amount.Explanation));
    }

    internal static async Task<NoContent> RefuseDeclaration(long id, DuesDeclarationDecisionBody body, CurrentUser user,
        DuesDeclarationService declarations, CancellationToken ct)
    {
        await declarations.RefuseAsync(id, body.Year, body.Reason, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> Publish(long id, DuesPublishBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.PublishAsync(id, body.Year, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }
}
