using Microsoft.AspNetCore.Authentication;
using WxQms.Api.Infrastructure;
using WxQms.Domain.Model;

namespace WxQms.Api.Admin;

/// <summary>
/// Who may use the console (/admin pages and /api/admin): a signed-in user holding a role that keeps something,
/// office staff, a secretary, a party-affairs worker or a committee member. A plain member gets 403 everywhere.
/// What each of them may change is decided by the Domain services from the grants (<c>Access</c>), as elsewhere.
/// A caller signs in with the mini program's bearer token or the console's own session (scan to sign in, web OAuth:
/// <see cref="AdminSessionHandler"/>), both to the same <see cref="CurrentUser"/>.
/// </summary>
public static class AdminAuth
{
    /// <summary>The authorisation policy of every console page and /api/admin route.</summary>
    public const string Policy = "admin";

    /// <summary>The roles that open the console.</summary>
    public static readonly IReadOnlySet<string> ConsoleRoles = WxQms.Domain.Services.Bot.ConsoleSignInService.ConsoleRoles;

    public static IHostApplicationBuilder AddAdminAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminSessionOptions>().BindConfiguration(AdminSessionOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AdminSessions>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminSessionHandler>(AdminSessionHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(AdminSessionHandler.SchemeName).RequireAuthenticatedUser()
                .RequireAssertion(c => c.Resource is HttpContext http && IsConsoleUser(CurrentUser.Of(http))));
        return builder;
    }

    public static bool IsConsoleUser(CurrentUser user) => user.Roles.Any(g => ConsoleRoles.Contains(g.Role));
}
