using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;
using WxQms.Domain.Caching;
using WxQms.Domain.Services;
using WxQms.Domain.Services.Orgs;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.Bot;
using WxQms.Domain.Services.Pay;
using WxQms.Domain.Services.Meetings;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Services.Wishes;
using WxQms.Domain.Storage;
using WxQms.Domain.Sms;
using WxQms.Domain.Wechat;

namespace WxQms.Domain.Hosting;

public static class WxQmsCoreExtensions
{
    /// <summary>The composition root shared by Api and Jobs: stores, caches, services, options, health.</summary>
    public static IHostApplicationBuilder AddWxQmsCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // The system clock; a demo may start it at a chosen instant (Clock:Now), never production.
        services.AddSingleton(ShiftedClock.From(builder.Configuration));

        services.AddOptions<ConnectionStringsOptions>().BindConfiguration(ConnectionStringsOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SubdistrictOptions>().BindConfiguration(SubdistrictOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MembersOptions>().BindConfiguration(MembersOptions.Section);
        services.AddSingleton<IdCardProtector>();

        // Resolved lazily from options, so hosts and test factories can supply the strings late.
        services.AddSingleton(sp => new MySqlDataSourceBuilder(
            MySqlConnectionString(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.MySql)).Build());
        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(
            RedisConfiguration(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Redis)));

        services.AddSingleton<DbMigrator>();
        services.AddSingleton<OrgStore>();
        services.AddSingleton<MemberStore>();
        services.AddSingleton<OrgTreeCache>();
        services.AddSingleton<TokenVersions>();
        services.AddSingleton<OrgService>();
        services.AddSingleton<MemberService>();
        services.AddSingleton<OrgAdminStore>();
        services.AddSingleton<OrgTermStore>();
        services.AddSingleton<OrgAdmin>();
        services.AddSingleton<TermReminderScan>();
        services.AddOptions<OrgOptions>().BindConfiguration(OrgOptions.Section)
            .Validate(o => Terms.YearsError(o.TermYears.Subdistrict) is null && Terms.YearsError(o.TermYears.CommunityCommittee) is null
                && Terms.YearsError(o.TermYears.GeneralBranch) is null && Terms.YearsError(o.TermYears.Branch) is null,
                "Orgs:TermYears:Subdistrict, CommunityCommittee, GeneralBranch and Branch are years from 1 to 5").ValidateOnStart();
        services.AddSingleton<MemberAdminStore>();
        services.AddSingleton<WxQms.Domain.Services.Members.MemberAdmin>();
        services.AddSingleton<TransferStore>();
        services.AddSingleton<WxQms.Domain.Services.Transfers.TransferService>();
        services.AddSingleton<WxQms.Domain.Services.Transfers.TransferScan>();
        services.AddSingleton<NonconformityStore>();
        services.AddSingleton<WxQms.Domain.Services.Nonconformities.NonconformityService>();
        services.AddSingleton<WxQms.Domain.Services.Nonconformities.NonconformityScan>();
        services.AddSingleton<WxQms.Domain.Services.Assessment.IAssessmentDeductions, WxQms.Domain.Services.Nonconformities.NonconformityDeductions>();
        services.AddOptions<WxQms.Domain.Services.Nonconformities.NonconformityOptions>()
            .BindConfiguration(WxQms.Domain.Services.Nonconformities.NonconformityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RosterImportStore>();
        services.AddSingleton<RosterImportService>();
        services.AddOptions<FileStoreOptions>().BindConfiguration(FileStoreOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FileStore>();
        services.AddSingleton<IFileStore>(sp => sp.GetRequiredService<FileStore>());
        services.AddSingleton<InboundStore>();
        services.AddSingleton<OutboundStore>();
        services.AddSingleton<WechatUserStore>();
        services.AddSingleton<MediaCheckStore>();
        services.AddSingleton<TaskStore>();
        services.AddSingleton<EvidenceStore>();
        services.AddSingleton<DutyStore>();
        services.AddSingleton<DutyCatalogueCache>();
        services.AddSingleton<WxQms.Domain.Rules.Tasks.ITaskCatalogueSource>(sp => sp.GetRequiredService<DutyCatalogueCache>());
        services.AddSingleton<DutyService>();
        services.AddSingleton<PlanService>();
        services.AddSingleton<TaskQueries>();
        services.AddSingleton<TaskCache>();
        services.AddSingleton<RecordCache>();
        services.AddSingleton<UploadStore>();
        services.AddSingleton<AdhocTaskStore>();
        services.AddSingleton<AdhocTaskService>();
        services.AddSingleton<ReviewStore>(); // 管理评审 (#20 item 2): targets, reviews and their decisions, the pack
        services.AddSingleton<WxQms.Domain.Services.ManagementReview.ReviewService>();
        services.AddSingleton<WxQms.Domain.Services.ManagementReview.ReviewPackService>();
        services.AddSingleton<DevelopmentStore>(); // member development (#17)
        services.AddSingleton<WxQms.Domain.Services.Development.DevelopmentService>();
        services.AddSingleton<WxQms.Domain.Services.Development.DevelopmentReminderScan>();
        services.AddSingleton<DevelopmentDutyStore>();
        services.AddSingleton<WxQms.Domain.Services.Development.DevelopmentDutyService>();
        services.AddSingleton<TaskCommands>();
        services.AddSingleton<PhotoIntake>();
        services.AddOptions<UploadOptions>().BindConfiguration(UploadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OverdueMarker>();
        services.AddSingleton<ShowcaseStore>(); // the community showcase (最in社区, #20 item 3)
        services.AddSingleton<WxQms.Domain.Services.Showcase.ShowcaseService>();
        services.AddOptions<WxQms.Domain.Services.Showcase.ShowcaseOptions>().BindConfiguration(WxQms.Domain.Services.Showcase.ShowcaseOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<GoLiveStore>();
        services.AddSingleton<GoLiveService>();
        services.AddSingleton<UploadSweeper>();
        services.AddSingleton<RetentionStore>(); // #22: working records past their time
        services.AddSingleton<WxQms.Domain.Services.Operations.RetentionService>();
        services.AddSingleton<AuditArchiveStore>(); // #22: a month of the trail, exported
        services.AddSingleton<WxQms.Domain.Services.Operations.AuditExport>();
        services.AddOptions<WxQms.Domain.Services.Operations.RetentionOptions>().BindConfiguration(WxQms.Domain.Services.Operations.RetentionOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WechatLinkStore>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<WorkerHeartbeat>();
        // Both hosts bind the signing key (wish photo links are signed with it) and refuse the sandbox's demo key outside
        // the sandbox; the Api also checks its length at start.
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, SandboxDemoSecrets>());
        services.AddWishes();
        services.AddAssessment();
        services.AddMembersOwnPart(); // #18: 党性体检, 民主评议, 我的, a branch's stars (after AddAssessment: it fills the grades hook)
        services.AddReminders();
        WxQms.Domain.Services.Dues.DuesServiceExtensions.AddDues(services);
        services.AddWechat();
        services.AddSms();
        services.AddBot();
        services.AddPay(); // WeChat Pay (Wechat:Pay), off until Wechat:Pay:MchId is set
        services.AddMeetings();
        WxQms.Domain.Services.Documents.DocumentServiceExtensions.AddDocuments(services); // #19: controlled documents
        WxQms.Domain.Services.Inspections.InspectionServiceExtensions.AddInspections(services); // #19: inspectors, inspections, self-inspection, audit

        services.AddHealthChecks()
            .AddCheck("self", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(),
                [HealthTags.Live])
            .AddCheck<MySqlHealthCheck>("mysql", tags: [HealthTags.Ready], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthTags.Ready], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    /// <summary>Timestamps are UTC everywhere: DATETIME(6) columns come back as DateTimeKind.Utc, and a
    /// Local DateTime parameter throws instead of being shifted by eight hours.</summary>
    public static string MySqlConnectionString(string configured) =>
        new MySqlConnectionStringBuilder(configured) { DateTimeKind = MySqlDateTimeKind.Utc }.ConnectionString;

    /// <summary>Never fail start-up because Redis is down: it is a cache and a coordinator, and the
    /// multiplexer reconnects by itself when Redis comes back.</summary>
    public static ConfigurationOptions RedisConfiguration(string configured)
    {
        var options = ConfigurationOptions.Parse(configured);
        options.AbortOnConnectFail = false;
        // While disconnected, fail at once instead of queueing commands until they time out: a cache
        // miss costs one MySQL read, a queued command costs the caller seconds.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        return options;
    }
}
