using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using WxQms.Api.Admin;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Services.Transfers;
using WxQms.Domain.Storage;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <summary>A transfer as the mini program and the console's JSON show it; "dues paid up to" as <c>yyyy-MM</c> or null.</summary>
public sealed record TransferDto(long Id, string Kind, string KindText, string State, string StateText, long MemberId, string MemberName,
    long? FromOrgId, long? ToOrgId, string FromOrgName, string ToOrgName, string? LetterNo, DateOnly? IssuedOn, DateOnly? ValidUntil,
    string? DuesPaidThrough, string? Reason, DateOnly? AcceptedOn, DateOnly? ReceiptDueOn, DateOnly? ReceiptOn, DateOnly? ClosedOn,
    long? ReplacesId, string? VoidReason, bool SenderResponsible, bool ReceiptOverdue, bool LetterExpired, bool InTransit)
{
    public static TransferDto From(TransferView v)
    {
        var t = v.Transfer;
        return new(t.Id, DbNames.Of(t.Kind), v.KindText, DbNames.Of(t.State), v.StateText, t.MemberId, t.MemberName, t.FromOrgId, t.ToOrgId,
            t.FromOrgName, t.ToOrgName, t.LetterNo, t.IssuedOn, t.ValidUntil,
            t.DuesPaidThrough is { } d ? $"{d.Year:D4}-{d.Month:D2}" : null, t.Reason, t.AcceptedOn, t.ReceiptDueOn, t.ReceiptOn, t.ClosedOn,
            t.ReplacesId, t.VoidReason, v.SenderResponsible, v.ReceiptOverdue, v.LetterExpired, v.InTransit);
    }
}

public sealed record TransferListDto(IReadOnlyList<TransferDto> Items);

/// <summary>
/// Starting a transfer: <c>kind</c> <c>within</c> (memberId, toOrgId), <c>out</c> (memberId, toOrgName, issuedOn, validUntil,
/// leaveMonths optional; 党费交到 comes from her dues months, a duesPaidThrough sent is not read) or <c>certificate</c> (memberId, toOrgName, leaveMonths ≤ 6).
/// </summary>
public sealed record TransferStartBody(string? Kind, long? MemberId, long? ToOrgId, string? ToOrgName, DateOnly? IssuedOn, DateOnly? ValidUntil,
    string? DuesPaidThrough, int? LeaveMonths, string? Reason);

/// <summary>A letter received from outside: the sending organisation, its number and dates, and the member it introduces.</summary>
public sealed record TransferInBody(long? ToOrgId, string? FromOrgName, string? LetterNo, DateOnly? IssuedOn, DateOnly? ValidUntil,
    string? DuesPaidThrough, DateOnly? ReceivedOn, string? Name, string? Sex, DateOnly? BirthDate, DateOnly? JoinedOn, string? Status,
    string? Phone);

public sealed record TransferInDto(long MemberId, TransferDto Transfer, string BindHint);

public sealed record TransferStepBody(DateOnly? AcceptedOn, DateOnly? ReceiptOn, DateOnly? ValidUntil, string? Reason);

/// <summary>
/// Transfers of organisational relationship (组织关系转接, issue #17 item 3) for the mini program: a branch's transfers in
/// and out, a member's own, starting (within the subdistrict, a letter out, a 党员证明信), accepting, the receipt, a
/// withdrawn request, a lost letter re-issued, a letter received from outside. Who may is decided by
/// <see cref="TransferService"/>.
/// </summary>
public static class TransferEndpoints
{
    public static IEndpointRouteBuilder MapMpTransfers(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/mp/transfers").WithTags("Mini program: transfers").RequireAuthorization(MpAuth.Policy);
        api.MapGet("", List).WithSummary("The transfers in and out of an org the caller keeps (default: the first she keeps), newest first");
        api.MapGet("/mine", Mine).WithSummary("My own transfers and where they stand");
        api.MapGet("/{id:long}", Get).WithSummary("One transfer: either side's keeper or the member herself");
        api.MapPost("", Start).WithSummary("Start a transfer: within the subdistrict (either branch), a letter out (valid ≤ 3 months) or a 党员证明信 (leave ≤ 6 months)");
        api.MapPost("/incoming", Incoming).WithSummary("Register a letter received from outside: the member is placed in a branch and binds WeChat with its binding code");
        api.MapPost("/{id:long}/accept", Accept).WithSummary("Within: the receiving branch accepts and she moves at once; out: record the receiving side's acceptance (receipt due in a month)");
        api.MapPost("/{id:long}/receipt", Receipt).WithSummary("Out: the receipt (回执) came back; she leaves the sending branch's roll");
        api.MapPost("/{id:long}/cancel", Cancel).WithSummary("Within: withdraw the request before the receiving branch accepts");
        api.MapPost("/{id:long}/reissue", Reissue).WithSummary("Out: a lost letter is voided and re-issued today with a new number");
        return app;
    }

    private static MemberEditor Editor(CurrentUser user) => MemberAdminEndpoints.Editor(user);

    internal static async Task<Results<Ok<TransferListDto>, ProblemHttpResult>> List(long? orgId, CurrentUser user, TransferService transfers,
        CancellationToken ct)
    {
        var org = orgId ?? user.Roles.Where(g => MemberAccess.KeepScope(g) is not null).Select(g => (long?)g.OrgId).FirstOrDefault();
        if (org is null)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "只有书记、党务工作者、社区党委和街道党建办可以查看组织关系转接", "auth.forbidden");
        var items = await transfers.ForOrgAsync(Editor(user), org.Value, ct);
        return TypedResults.Ok(new TransferListDto(items.Select(TransferDto.From).ToList()));
    }

    internal static async Task<Results<Ok<TransferListDto>, ProblemHttpResult>> Mine(CurrentUser user, TransferService transfers, CancellationToken ct)
    {
        if (user.MemberId is not { } me)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "只有党员有组织关系转接", "auth.forbidden");
        return TypedResults.Ok(new TransferListDto((await transfers.MineAsync(me, ct)).Select(TransferDto.From).ToList()));
    }

    internal static async Task<Ok<TransferDto>> Get(long id, CurrentUser user, TransferService transfers, CancellationToken ct) =>
        TypedResults.Ok(TransferDto.From(await transfers.GetAsync(Editor(user), id, ct)));

    /// <summary>Whether the caller keeps anyone's records (a branch's secretary or worker, a community's, the office): only they start transfers.</summary>
    private static bool Keeps(CurrentUser user) => user.Roles.Any(g => MemberAccess.KeepScope(g) is not null);

    private static IResult NotAKeeper() =>
        Problem(StatusCodes.Status403Forbidden, "无权访问", "组织关系转接由支部书记、党务工作者、社区党委和街道党建办办理", "auth.forbidden");

    internal static async Task<IResult> Start(TransferStartBody body, CurrentUser user, TransferService transfers, CancellationToken ct) =>
        !Keeps(user) ? NotAKeeper() : await MemberAdminEndpoints.Refusals(async () =>
        {
            var kind = body.Kind switch
            {
                "within" => TransferKind.Within,
                "out" => TransferKind.Out,
                "certificate" => TransferKind.Certificate,
                _ => (TransferKind?)null,
            };
            var id = await transfers.StartAsync(Editor(user), new TransferStart(kind, body.MemberId, body.ToOrgId, body.ToOrgName, body.IssuedOn,
                body.ValidUntil, Dues(body.DuesPaidThrough), body.LeaveMonths, body.Reason), ct);
            return TypedResults.Created($"/api/mp/transfers/{id}", TransferDto.From(await transfers.GetAsync(Editor(user), id, ct)));
        });

    internal static async Task<IResult> Incoming(TransferInBody body, CurrentUser user, TransferService transfers, CancellationToken ct) =>
        !Keeps(user) ? NotAKeeper() : await MemberAdminEndpoints.Refusals(async () =>
        {
            var input = MemberAdminEndpoints.Input(new AdminMemberBody(body.ToOrgId, body.Name, body.Sex, body.BirthDate, body.JoinedOn, body.Status,
                body.Phone, null, false, false));
            var (memberId, id) = await transfers.RegisterInAsync(Editor(user), new TransferIn(body.ToOrgId, body.FromOrgName, body.LetterNo,
                body.IssuedOn, body.ValidUntil, Dues(body.DuesPaidThrough), body.ReceivedOn, input.Name, input.Sex, input.BirthDate, input.JoinedOn,
                input.Status, input.Phone), ct);
            return TypedResults.Created($"/api/mp/transfers/{id}", new TransferInDto(memberId, TransferDto.From(await transfers.GetAsync(Editor(user), id, ct)),
                "请该党员关注公众号，扫描本支部的绑定二维码，回复“姓名 手机号后四位”完成微信绑定。"));
        });

    internal static Task<IResult> Accept(long id, TransferStepBody? body, CurrentUser user, TransferService transfers, CancellationToken ct) =>
        Step(id, user, transfers, () => transfers.AcceptAsync(Editor(user), id, body?.AcceptedOn, ct), ct);

    internal static Task<IResult> Receipt(long id, TransferStepBody? body, CurrentUser user, TransferService transfers, CancellationToken ct) =>
        Step(id, user, transfers, () => transfers.ReceiptAsync(Editor(user), id, body?.ReceiptOn, ct), ct);

    internal static Task<IResult> Cancel(long id, CurrentUser user, TransferService transfers, CancellationToken ct) =>
        Step(id, user, transfers, () => transfers.CancelAsync(Editor(user), id, ct), ct);

    internal static Task<IResult> Reissue(long id, TransferStepBody? body, CurrentUser user, TransferService transfers, CancellationToken ct) =>
        MemberAdminEndpoints.Refusals(async () =>
        {
            var next = await transfers.ReissueAsync(Editor(user), id, body?.ValidUntil, body?.Reason, ct);
            return TypedResults.Created($"/api/mp/transfers/{next}", TransferDto.From(await transfers.GetAsync(Editor(user), next, ct)));
        });

    private static Task<IResult> Step(long id, CurrentUser user, TransferService transfers, Func<Task> step, CancellationToken ct) =>
        MemberAdminEndpoints.Refusals(async () =>
        {
            await step();
            return TypedResults.Ok(TransferDto.From(await transfers.GetAsync(Editor(user), id, ct)));
        });

    /// <summary>"yyyy-MM" as a month; anything else is a refused field, never a 500.</summary>
    internal static DuesPaidThrough? Dues(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateOnly.TryParseExact(value.Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? new DuesPaidThrough(d.Year, d.Month)
            : throw new MemberInputException(new FieldError("duesPaidThrough", "transfer.bad_dues", "党费交到的年月应写作 yyyy-MM。"));
}
