using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WxQms.Domain.Hosting;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat.Callbacks;
using WxQms.Sandbox;
using WxQms.Sandbox.Demo;
using WxQms.Jobs.Workers;

namespace WxQms.Jobs;

/// <summary><c>WxQms.Jobs migrate | seed | run</c>: schema, demo subdistrict, the workers.</summary>
public static class JobsProgram
{
    public const string Usage = """
        usage: WxQms.Jobs <verb> [--Key=Value ...]
          migrate   apply pending database migrations
          seed      create the demo subdistrict (东风路街道) when the database has none
          plan      generate the yearly task plan (--Year=2027; default this year), adding only what is missing
          simulate  demo only: a month of work on the demo data (last month, closed; this month so far)
          menus     push the official-account menu (Bot:Menu) with menu/create
          run       run the workers until stopped (--Jobs:Only=reminder-send,reminder-scan runs just those)
        """;

    public static async Task<int> Main(string[] args)
    {
        var verb = args.FirstOrDefault();
        if (verb is not ("migrate" or "seed" or "plan" or "simulate" or "menus" or "run"))
        {
            await Console.Error.WriteLineAsync(verb is null or "help" or "--help" ? Usage : $"unknown verb '{verb}'\n{Usage}");
            return verb is "help" or "--help" ? 0 : 2;
        }

        // appsettings*.json sit beside the binary, wherever the process was started from.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args[1..],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddWxQmsCore();
        if (verb is "seed" or "simulate")
            builder.Services.AddWxQmsDemo(); // the demo's data, from WxQms.Sandbox
        if (verb == "run")
        {
            builder.AddWorkers();
            builder.AddJobsTelemetry(); // #22: OTLP, and Prometheus on Telemetry:Prometheus:Port, when configured
        }

        using var host = builder.Build();
        var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("WxQms.Jobs");
        switch (verb)
        {
            case "migrate":
                var applied = await host.Services.GetRequiredService<DbMigrator>().MigrateAsync();
                log.LogInformation("Migrations applied: {Applied}", applied);
                return 0;
            case "seed":
                var result = await host.Services.GetRequiredService<DemoSeeder>().SeedAsync(CancellationToken.None);
                log.LogInformation(result.AlreadySeeded
                    ? "Demo subdistrict already seeded"
                    : "Demo subdistrict seeded: {Orgs} orgs, {Members} members, {Roles} roles",
                    result.Orgs, result.Members, result.Roles);
                return 0;
            case "plan":
                var year = builder.Configuration.GetValue<int?>("Year")
                    ?? Periods.LocalDate(host.Services.GetRequiredService<TimeProvider>().GetUtcNow()).Year;
                var plan = await host.Services.GetRequiredService<PlanService>().GenerateYearAsync(year, CancellationToken.None);
                log.LogInformation("Plan {Year}: {Planned} tasks for {Orgs} orgs, {Created} new", plan.Year, plan.Planned,
                    plan.Orgs, plan.Created);
                return 0;
            case "simulate":
                foreach (var month in await host.Services.GetRequiredService<DemoSimulation>().SimulateYearAsync(CancellationToken.None))
                    log.LogInformation("Simulated {Month}: {OnTime} on time, {Late} late, {Open} open, {Attendance} attendance marks, closed: {Closed}",
                        month.Month, month.OnTime, month.Late, month.LeftOpen, month.Attendance, month.Closed);
                log.LogInformation("Demo wishes posted: {Count}",
                    await host.Services.GetRequiredService<DemoWishes>().PostAsync(CancellationToken.None));
                await host.Services.GetRequiredService<DemoDues>().PostAsync(CancellationToken.None);
                log.LogInformation("Demo development applicants: {Count}",
                    await host.Services.GetRequiredService<DemoDevelopment>().PostAsync(CancellationToken.None));
                await host.Services.GetRequiredService<DemoMemberPart>().PostAsync(CancellationToken.None); // #18: check-ups, appraisals
                log.LogInformation("Demo transfers: {Count}", await host.Services.GetRequiredService<DemoTransfers>().PostAsync(CancellationToken.None));
                var showcase = await host.Services.GetRequiredService<DemoShowcase>().PostAsync(CancellationToken.None); // #20: 最in社区
                log.LogInformation("Demo showcase: {Introductions} introductions, {Scenes} panorama scenes, {Hotspots} hotspots",
                    showcase.Introductions, showcase.Scenes, showcase.Hotspots);
                await host.Services.GetRequiredService<DemoReview>().PostAsync(CancellationToken.None); // #20: 管理评审's targets and last review
                await host.Services.GetRequiredService<DemoDocuments>().PostAsync(CancellationToken.None); // #19: controlled documents
                var nonconformities = await host.Services.GetRequiredService<DemoNonconformities>().PostAsync(CancellationToken.None); // #19
                log.LogInformation("Demo nonconformities: {Rule} raised by rule, {Inspected} from inspections", nonconformities.RaisedByRule,
                    nonconformities.Inspected);
                var inspections = await host.Services.GetRequiredService<DemoInspections>().PostAsync(CancellationToken.None); // #19
                log.LogInformation("Demo inspections: {Inspectors} inspectors, {Planned} planned, {Submitted} done, {Self} self-inspections, {Audits} audits",
                    inspections.Inspectors, inspections.Planned, inspections.Submitted, inspections.SelfInspections, inspections.Audits);
                var demo = host.Services.GetRequiredService<DemoReminders>();
                log.LogInformation("Linked {Count} members to their sandbox WeChat (members of {Unbound} stay unbound)",
                    await demo.LinkMembersAsync(CancellationToken.None), DemoReminders.UnboundCommunity);
                foreach (var phone in await demo.PlanScenarioAsync(CancellationToken.None))
                    Console.WriteLine($"demo-phone\t{phone.OpenId}\t{phone.Name}（{phone.OrgName}）\t{phone.Role}");
                if (await demo.SmsPhoneAsync(CancellationToken.None) is { } sms) // #21: a retiree without WeChat, told by SMS
                    Console.WriteLine($"demo-phone\tsms:{sms.Phone}\t{sms.Name}（{sms.OrgName}）\t{sms.Role}");
                await host.Services.GetRequiredService<DemoLeave>().PostAsync(CancellationToken.None); // #18: leave waiting for the secretaries
                return 0;
            case "menus":
                try
                {
                    var menu = await host.Services.GetRequiredService<MenuPublisher>().PublishAsync(CancellationToken.None);
                    return menu.IsOk ? 0 : 1;
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException
                                               or Microsoft.Extensions.Options.OptionsValidationException)
                {
                    log.LogError("The menu was not published: {Error}", ex.Message);
                    return 1;
                }
            default:
                await host.RunAsync();
                return 0;
        }
    }

    /// <summary>
    /// The workers of <c>run</c>: each a job name (what <c>Jobs:Only</c> names) and a default interval, which
    /// <c>Jobs:&lt;Job&gt;:Interval</c> overrides (<see cref="WorkerOptions"/>).
    /// </summary>
    public static IHostApplicationBuilder AddWorkers(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddHostedService<PeriodicJobRunner>();
        services.AddWorker<HeartbeatWorker>("heartbeat", TimeSpan.FromSeconds(30));
        services.AddWorker<InboundMediaWorker>("inbound-media", TimeSpan.FromSeconds(2));
        services.AddWorker<ChatPhotoWorker>("chat-photos", TimeSpan.FromSeconds(2));
        services.AddWorker<PlanWorker>("plan", TimeSpan.FromHours(6));
        services.AddWorker<OverdueWorker>("overdue", TimeSpan.FromMinutes(5));
        services.AddWorker<MonthlyCloseWorker>("monthly-close", TimeSpan.FromMinutes(5));
        services.AddWorker<ReminderScanWorker>("reminder-scan", sp => sp.GetRequiredService<IOptions<ReminderOptions>>().Value.ScanInterval);
        // Reminders:SendInterval named this interval before Jobs:ReminderSend:Interval; it stays the default.
        services.AddWorker<ReminderSendWorker>("reminder-send", sp => sp.GetRequiredService<IOptions<ReminderOptions>>().Value.SendInterval);
        services.AddWorker<WishConfirmWorker>("wish-confirm", TimeSpan.FromMinutes(5));
        services.AddWorker<UploadSweepWorker>("upload-sweep", TimeSpan.FromMinutes(30));
        services.AddWorker<TermReminderWorker>("term-reminders", TimeSpan.FromHours(1));
        services.AddWorker<PayReconcileWorker>("pay-reconcile", TimeSpan.FromMinutes(1));
        services.AddWorker<DuesMonthsWorker>("dues-months", TimeSpan.FromHours(1));
        services.AddWorker<DuesArrearsWorker>("dues-arrears", TimeSpan.FromHours(1));
        services.AddWorker<TransferScanWorker>("transfer-alerts", TimeSpan.FromHours(1));
        services.AddWorker<DevelopmentReminderWorker>("development-reminders", TimeSpan.FromHours(1));
        services.AddWorker<AppraisalFollowUpWorker>("appraisal-followups", TimeSpan.FromHours(1));
        services.AddWorker<NonconformityWorker>("nonconformities", TimeSpan.FromHours(1));
        services.AddWorker<RetentionWorker>("retention", TimeSpan.FromHours(6));
        services.AddWorker<InspectionWorker>("inspections", TimeSpan.FromHours(6)); // #19: an inspection due before its quarter ends
        services.AddOptions<ReminderOptions>().ValidateOnStart();
        services.AddOptions<PeriodicJobOptions>().BindConfiguration(PeriodicJobOptions.Section);
        return builder;
    }
}
