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

/// <summary>The months to pay, as "2026-10".</summary>
public sealed record DuesPayBody(IReadOnlyList<string>? Months);

/// <summary>A member's base for a year: category (employed, retired, student, unemployed, hardship), the base in fen, a special lower amount with its reason.</summary>
public sealed record DuesBaseBody(int? Year, string? Category, int BaseFen, int? SpecialFen, string? SpecialReason);

public sealed record DuesCashBody(IReadOnlyList<string>? Months, int AmountFen, string? ReceiptNo);

public sealed record DuesWaiveBody(string? Month, string? Reason);

public sealed record DuesHandUpBody(int AmountFen, string? Reference);

public sealed record DuesPublishBody(int Year);

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
        dues.MapGet("/branches/{orgId:long}", Branch).WithSummary("A branch's dues ledger: members and months, collected, handed up, balance, arrears (secretary, worker, staff)");
        dues.MapPut("/members/{memberId:long}/base", SetBase).WithSummary("Record a member's base for a year (and a special lower amount with its reason)");
        dues.MapPost("/members/{memberId:long}/cash", Cash).WithSummary("Record a payment made offline with its receipt number");
        dues.MapPost("/members/{memberId:long}/waive", Waive).WithSummary("Waive an open month with the approval's reason");
        dues.MapPost("/branches/{orgId:long}/hand-ups", HandUp).WithSummary("Record dues handed up to the superior (上缴) with its reference");
        dues.MapPost("/branches/{orgId:long}/publish", Publish).WithSummary("Publish the year's disclosure (/h5/dues/{orgId}/{year}); the branch secretary");
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
        if (pay is null)
            return Problem(StatusCodes.Status503ServiceUnavailable, "暂不可用", "微信支付尚未开通，请向支部党务工作者交纳", "pay.unavailable");
        return TypedResults.Ok(await dues.PayAsync(memberId, wechatUserId, wechat.Value.Mp.AppId, body.Months, pay, ct));
    }

    internal static async Task<Ok<BranchDues>> Branch(long orgId, int? year, CurrentUser user, DuesService dues, CancellationToken ct) =>
        TypedResults.Ok(await dues.BranchAsync(orgId, year, user.Roles, ct));

    internal static async Task<Results<Ok<DuesAmountDto>, ProblemHttpResult>> SetBase(long memberId, DuesBaseBody body, CurrentUser user,
        DuesService dues, CancellationToken ct)
    {
        if (!Enum.TryParse<DuesCategory>(body.Category, ignoreCase: true, out var category) || !Enum.IsDefined(category)
            || int.TryParse(body.Category, out _))
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "category 应为 employed、retired、student、unemployed 或 hardship", "request.invalid");
        var amount = await dues.SetBaseAsync(memberId, body.Year ?? dues.CurrentMonth.Year,
            new DuesBasis(category, body.BaseFen, body.SpecialFen, body.SpecialReason), user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.Ok(new DuesAmountDto(amount.MonthlyFen, amount.StandardFen, amount.Explanation));
    }

    internal static async Task<NoContent> Cash(long memberId, DuesCashBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.RecordCashAsync(memberId, body.Months, body.AmountFen, body.ReceiptNo, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> Waive(long memberId, DuesWaiveBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.WaiveAsync(memberId, body.Month ?? "", body.Reason, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> HandUp(long orgId, DuesHandUpBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.HandUpAsync(orgId, body.AmountFen, body.Reference, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<NoContent> Publish(long orgId, DuesPublishBody body, CurrentUser user, DuesService dues, CancellationToken ct)
    {
        await dues.PublishAsync(orgId, body.Year, user.Roles, TaskEndpoints.Actor(user), user.MemberId, ct);
        return TypedResults.NoContent();
    }
}
