using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model.Reminders;
using WxQms.Domain.Rules;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using static WxQms.Api.Infrastructure.Problems;

namespace WxQms.Api.MiniProgram;

/// <summary>One answer of wx.requestSubscribeMessage: accept, reject, ban or filter.</summary>
public sealed record SubscriptionResult(string? Key, string? TemplateId, string? Result);

public sealed record SubscriptionReport(IReadOnlyList<SubscriptionResult>? Results);

/// <summary>A template the mini program may ask consent for, and how many sends the user's consent still allows.</summary>
public sealed record SubscriptionTemplate(string Key, string TemplateId, string Title, int Remaining);

public sealed record SubscriptionsDto(IReadOnlyList<SubscriptionTemplate> Templates);

/// <summary>
/// Reminder status for the people responsible (staff, secretaries, community committees), and the
/// subscribe-message consent the mini program reports after wx.requestSubscribeMessage.
/// </summary>
public static class ReminderEndpoints
{
    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        [ReminderOptions.MeetingReminderKey] = "会议提醒",
        [ReminderOptions.TaskWarningKey] = "任务预警",
        [ReminderOptions.ReviewResultKey] = "审核结果通知",
        [WxQms.Domain.Services.Wishes.WishNotices.TemplateKey] = "微心愿进度通知",
    };

    public static IEndpointRouteBuilder MapMpReminders(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/mp/reminders", List).WithTags("Mini program: reminders").RequireAuthorization(MpAuth.Policy)
            .WithSummary("Reminders of my scope (or an org in it) by status, newest first, with the count of each status");
        app.MapPost("/api/mp/subscriptions", Report).WithTags("Mini program: reminders").RequireAuthorization(MpAuth.Policy)
            .WithSummary("The answers of wx.requestSubscribeMessage: each accept allows one subscribe message of that template");
        app.MapGet("/api/mp/subscriptions", Templates).WithTags("Mini program: reminders").RequireAuthorization(MpAuth.Policy)
            .WithSummary("The templates the mini program may ask consent for, with the sends my consent still allows");
        return app;
    }

    internal static async Task<Results<Ok<ReminderPage>, ProblemHttpResult>> List(long? orgId, string? status, string? kind, long? taskId,
        int? limit, int? offset, CurrentUser user, OrgStore orgs, ReminderQueries queries, CancellationToken ct)
    {
        string? scope;
        if (orgId is { } id)
        {
            var org = await orgs.GetAsync(id, ct);
            if (org is null)
                return Problem(StatusCodes.Status404NotFound, "未找到", $"组织 {id} 不存在", "org.not_found");
            if (!Access.CanMonitor(user.Roles, org.Path))
                return Problem(StatusCodes.Status403Forbidden, "无权访问", "您无权查看该组织的提醒", "auth.forbidden");
            scope = org.Path;
        }
        else if ((scope = Access.DefaultMonitorScope(user.Roles)) is null)
            return Problem(StatusCodes.Status403Forbidden, "无权访问", "只有书记、党务工作者、社区党委和街道党建办可以查看提醒", "auth.forbidden");

        if (!TryParse<ReminderStatus>(status, out var s))
            return Problem(StatusCodes.Status400BadRequest, "参数无效",
                $"未知的提醒状态“{status}”，可选 pending、sending、sent、failed、unreachable、cancelled", "request.invalid");
        if (!TryParse<ReminderKind>(kind, out var k))
            return Problem(StatusCodes.Status400BadRequest, "参数无效",
                $"未知的提醒类型“{kind}”，可选 plan_report、organiser、members、warning、escalation1、escalation2", "request.invalid");
        var page = await queries.ListAsync(new ReminderFilter(scope, s, k, taskId, limit ?? 50, offset ?? 0), ct);
        return TypedResults.Ok(page);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Report(SubscriptionReport body, CurrentUser user,
        WechatLinkStore links, SubscriptionStore subscriptions, IOptionsMonitor<ReminderOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        if (user.WechatUserId is not { } wechatUserId || await links.GetAsync(wechatUserId, ct) is not { } me)
            return Problem(StatusCodes.Status401Unauthorized, "未登录", "请先登录小程序", "auth.required");
        var results = body.Results ?? [];
        if (results.Count is 0 or > 20)
            return Problem(StatusCodes.Status400BadRequest, "参数无效", "results 应有 1 至 20 项", "request.invalid");
        var answers = new List<(string, string)>();
        foreach (var r in results)
        {
            if (r.Result is null || !SubscriptionStore.ClientResults.Contains(r.Result))
                return Problem(StatusCodes.Status400BadRequest, "参数无效",
                    $"result 应为 accept、reject、ban 或 filter，收到“{r.Result}”", "request.invalid");
            if (r.TemplateId is null || options.CurrentValue.KeyOfMpTemplate(r.TemplateId) is not { } key)
                return Problem(StatusCodes.Status400BadRequest, "参数无效",
                    $"未知的订阅消息模板“{r.TemplateId}”", "subscription.unknown_template");
            if (r.Key is not null && r.Key != key)
                return Problem(StatusCodes.Status400BadRequest, "参数无效",
                    $"模板“{r.TemplateId}”对应的是 {key}，不是 {r.Key}", "subscription.key_mismatch");
            answers.Add((r.TemplateId, r.Result));
        }
        await subscriptions.RecordClientAsync(me.AppId, me.OpenId, answers, clock.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<SubscriptionsDto>, ProblemHttpResult>> Templates(CurrentUser user, WechatLinkStore links,
        SubscriptionStore subscriptions, IOptionsMonitor<ReminderOptions> options, CancellationToken ct)
    {
        if (user.WechatUserId is not { } wechatUserId || await links.GetAsync(wechatUserId, ct) is not { } me)
            return Problem(StatusCodes.Status401Unauthorized, "未登录", "请先登录小程序", "auth.required");
        var left = (await subscriptions.ListAsync(me.AppId, me.OpenId, ct)).ToDictionary(q => q.TemplateId, q => q.Remaining);
        var templates = options.CurrentValue.Templates
            .Where(t => !string.IsNullOrEmpty(t.Value.Mp))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new SubscriptionTemplate(t.Key, t.Value.Mp!, Titles.GetValueOrDefault(t.Key, t.Key), left.GetValueOrDefault(t.Value.Mp!)))
            .ToList();
        return TypedResults.Ok(new SubscriptionsDto(templates));
    }

    private static bool TryParse<TEnum>(string? value, out TEnum? parsed) where TEnum : struct, Enum
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(value))
            return true;
        try
        {
            parsed = DbNames.Parse<TEnum>(value.Trim());
            return DbNames.Of(parsed.Value) == value.Trim();
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
