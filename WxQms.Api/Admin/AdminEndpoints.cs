using System.Text;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;
using WxQms.Domain.Services;
using static WxQms.Api.Admin.AdminLayout;

namespace WxQms.Api.Admin;

/// <summary>
/// The console's frame: the route groups every section maps its pages (<see cref="AdminPages"/>) and its JSON routes
/// (<see cref="AdminApi"/>) into, both behind <see cref="AdminAuth.Policy"/>, and the home page.
/// </summary>
public static class AdminEndpoints
{
    /// <summary>The group of console pages under /admin: signed in, a console role, not in the API reference.</summary>
    public static RouteGroupBuilder AdminPages(this IEndpointRouteBuilder app) =>
        app.MapGroup("/admin").ExcludeFromDescription().RequireAuthorization(AdminAuth.Policy).RequireRateLimiting(RateLimits.H5)
            .RefuseCrossSiteWrites();

    /// <summary>The group of the console's JSON and file routes under /api/admin.</summary>
    public static RouteGroupBuilder AdminApi(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/admin").RequireAuthorization(AdminAuth.Policy).WithTags("admin").RefuseCrossSiteWrites();

    /// <summary>
    /// A change another site's page sends is refused (403 <c>request.cross_site</c>), as the browser tells by
    /// <c>Sec-Fetch-Site</c>. The session cookie is SameSite=Strict already, so such a request arrives without it; this is
    /// the second lock, for a browser that ignores SameSite, and it costs nothing to a script with a bearer token (it sends
    /// no such header).
    /// </summary>
    public static RouteGroupBuilder RefuseCrossSiteWrites(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var request = context.HttpContext.Request;
            var write = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method);
            return write && request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site"
                ? Problems.Problem(StatusCodes.Status403Forbidden, "请求被拒绝", "管理后台不接受来自其他网站的提交。", "request.cross_site")
                : await next(context);
        });

    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        app.AdminPages().MapGet("", Home);
    }

    /// <summary>How the console names its viewer in the header: the member's name and their console roles.</summary>
    public static async Task<string> ViewerAsync(CurrentUser user, MemberService members, CancellationToken ct)
    {
        var name = user.MemberId is { } id && await members.GetAsync(id, ct) is { } m ? m.Name : "";
        var roles = user.Roles.Where(g => AdminAuth.ConsoleRoles.Contains(g.Role)).Select(g => RoleName(g.Role)).Distinct();
        return $"{name}（{string.Join("、", roles)}）";
    }

    public static string RoleName(string role) => role switch
    {
        Roles.Staff => "街道党建办",
        Roles.Secretary => "书记",
        Roles.Worker => "党务工作者",
        Roles.Committee => "委员",
        Roles.Inspector => "督查员",
        _ => "党员",
    };

    private static async Task<IResult> Home(HttpContext http, CurrentUser user, MemberService members, CancellationToken ct)
    {
        var cards = new StringBuilder("<div class=cards>");
        foreach (var item in Nav.Where(n => n.Key != "home"))
            cards.Append($"""<a href="{E(item.Href)}">{E(item.Label)}</a>""");
        cards.Append("</div>");
        return Page(http, await ViewerAsync(user, members, ct), "首页", "home", cards.ToString());
    }
}
