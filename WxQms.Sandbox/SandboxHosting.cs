using WxQms.Domain.Hosting;
using WxQms.Domain.Wechat;
using WxQms.Sandbox.Demo;

namespace WxQms.Sandbox;

/// <summary>
/// How the hosts take the sandbox in: the Api calls <see cref="AddWxQmsSandbox"/> and <see cref="MapWxQmsSandbox"/>,
/// which do nothing unless the sandbox is on, and the Jobs' <c>seed</c> and <c>simulate</c> verbs call
/// <see cref="AddWxQmsDemo"/>. Nothing of it is registered, mapped or run in a deployment.
/// </summary>
public static class SandboxHosting
{
    /// <summary>
    /// Whether the sandbox runs: <c>Wechat:Sandbox:Enabled</c>, in the Sandbox or Development environment, with
    /// <c>Wechat:ApiBase</c> on this machine. <see cref="SandboxDemoSecrets"/> refuses a start that switches it on
    /// anywhere else, so this only decides what to register.
    /// </summary>
    public static bool IsOn(IHostApplicationBuilder builder)
    {
        var wechat = builder.Configuration.GetSection(WechatOptions.Section).Get<WechatOptions>() ?? new WechatOptions();
        return wechat.Sandbox.Enabled && SandboxDemoSecrets.IsLocal(builder.Environment) && SandboxDemoSecrets.IsLoopback(wechat.ApiBase);
    }

    /// <summary>
    /// The imitation of WeChat's servers, its background delivery of pushes and the demo's data services, when
    /// the sandbox is on; otherwise nothing.
    /// </summary>
    public static IHostApplicationBuilder AddWxQmsSandbox(this IHostApplicationBuilder builder)
    {
        if (!IsOn(builder))
            return builder;
        builder.Services.AddWechatSandbox();
        builder.Services.AddWxQmsDemo();
        return builder;
    }

    /// <summary>The sandbox's routes (<c>/sandbox/wechat</c>, <c>/sandbox/open</c>, <c>/sandbox/phone</c>), when it was added.</summary>
    public static IEndpointRouteBuilder MapWxQmsSandbox(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetService<SandboxWechat>() is null)
            return app;
        return app.MapWechatSandbox();
    }

    /// <summary>The demo subdistrict's seeder, the year's simulation (with its photos and wishes) and the reminder scenario.</summary>
    public static IServiceCollection AddWxQmsDemo(this IServiceCollection services)
    {
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton<DemoSimulation>();
        services.AddSingleton<DemoPhotos>();
        services.AddSingleton<DemoWishes>();
        services.AddSingleton<DemoDues>();
        services.AddSingleton<DemoDevelopment>(); // member development's applicants at several stages (#17)
        services.AddSingleton<DemoLeave>(); // #18: leave requests waiting for the secretaries of the coming meetings
        services.AddSingleton<DemoTransfers>(); // #17: transfers in every state, letters stating the dues paid up to
        services.AddSingleton<DemoNonconformities>(); // #19: nonconformities raised by rule and by inspection, in every state
        services.AddSingleton<DemoInspections>(); // #19: inspectors, the year's inspection plan, self-inspections and the internal audit
        services.AddSingleton<DemoMemberPart>(); // #18: check-ups and appraisals, last year's and this year's in progress
        services.AddSingleton<DemoShowcase>(); // #20: the community showcase's introductions and a two-scene 3D tour
        services.AddSingleton<DemoReview>(); // #20: 管理评审 — the year's targets, last quarter's review with its decisions
        services.AddSingleton<DemoDocuments>(); // #19: the controlled documents, in every state, and the duties' clauses
        services.AddSingleton<DemoReminders>();
        return services;
    }
}
