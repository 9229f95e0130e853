using Scalar.AspNetCore;
using WxQms.Api.Admin;
using WxQms.Api.Assessment;
using WxQms.Api.Dues;
using WxQms.Api.H5;
using WxQms.Api.Infrastructure;
using WxQms.Api.MiniProgram;
using WxQms.Api.Orgs;
using WxQms.Api.Wechat;
using WxQms.Domain.Hosting;
using WxQms.Sandbox;

var builder = WebApplication.CreateBuilder(args);

// Stores, caches, services and health checks shared with WxQms.Jobs
builder.AddWxQmsCore();

// Errors are ProblemDetails, JSON is camelCase and leaves Chinese readable
builder.AddApiConventions();
builder.Services.AddOpenApi(o => o.DescribeProblemExtensions());
builder.AddMpAuth(); // JWT bearer for /api/mp, 401/403 as ProblemDetails, CurrentUser
builder.AddRateLimits(); // RateLimits:*, per user or IP address, 429 as ProblemDetails
builder.AddAdminAuth(); // the console (/admin, /api/admin): staff, secretaries, workers and committees
builder.AddApiTelemetry(); // #22: OpenTelemetry when Telemetry:* says so (OTLP, Prometheus at /metrics)

// The local imitation of WeChat's servers (WxQms.Sandbox): nothing is registered unless Wechat:Sandbox:Enabled
builder.AddWxQmsSandbox();
builder.Services.AddSingleton<H5Viewer>(); // sign-in of the official-account pages (/h5/*)

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseVendorAssets(); // /vendor/…: the pages' browser libraries (ECharts, Pannellum) from our own build
app.UseRateLimiter(); // after authentication (added by the host), so a policy sees the signed-in user

// The API reference lists every route and parameter: public only where a setting says so (the sandbox's file does).
if (app.Configuration.GetValue<bool>("Api:PublicDocs"))
{
    app.MapOpenApi();
    app.MapScalarApiReference("/docs", o => o.WithTitle("WxQms API"));
    app.MapGet("/", () => Results.Redirect("/docs")).ExcludeFromDescription();
}
app.MapGet("/ping", () => "pong").ExcludeFromDescription(); // a bare endpoint: load balancers, benchmark baseline
app.MapGet("/ping.json", () => TypedResults.Ok(new { pong = true })).ExcludeFromDescription(); // the JSON baseline of bench.sh
app.MapHealthEndpoints();
app.MapMetrics(); // /metrics only when Telemetry:Prometheus:Enabled
app.MapOrgs();
app.MapMpLogin();
app.MapMpTasks();
app.MapMpAdhocTasks();
app.MapMpUploads();
app.MapMpRoster();
app.MapMpReminders();
app.MapMpTransfers(); // 组织关系转接: /api/mp/transfers
app.MapMpNonconformities(); // 不符合项与纠正措施: /api/mp/nonconformities
app.MapMpInspections(); // 巡查、自查自纠、内部审核: /api/mp/inspections
app.MapMpWishes();
app.MapMpDevelopment(); // member development (#17): /api/mp/development/…
app.MapMpMeetings(); // check-in, leave and feedback on meetings (#18)
app.MapWishPage(); // /h5/wishes, the micro-wish wall of the official account
app.MapMpBindCodes(); // printed branch QR codes for the official-account bot
app.MapRankings(); // the assessment: rankings, stars, the office's exports and the ranking page /h5/ranking
app.MapStars();
app.MapMpCheckups(); // #18: 党性体检 (/api/mp/checkups…) and 民主评议 (/api/mp/appraisals…)
app.MapMpRecord(); // #18: 我的 (/api/mp/me/record, /api/mp/members/{id}/record) and a branch's stars (/api/mp/stars/{orgId})
app.MapStarsPage(); // #18: /h5/stars/{orgId} and the office's /api/exports/stars.xlsx
app.MapExports();
app.MapRankingPage();
app.MapDashboardPage(); // #20: the office dashboard /h5/dashboard (工作台) and /admin/dashboard, each number's list under …/list
app.MapAdmin(); // the console: /admin pages and /api/admin routes
app.MapAdminWork(); // the console's 提醒, 审核 and 绑定码 pages
app.MapAdminSignIn(); // the console's sign-in: scan (/admin/sign-in), web OAuth inside WeChat (/h5/admin), sign-out
app.MapAdminOrgs(); // the console's organisations and terms: /admin/orgs, /api/admin/orgs
app.MapAdminMembers(); // the console's members and roles: /admin/members, /api/admin/members
app.MapAdminTransferForms(); // the console's forms: a letter out of a member (/admin/transfers/out/{memberId}), a letter received (/admin/transfers/incoming)
app.MapAdminNonconformities(); // 不符合项台账: /admin/nonconformities
app.MapAdminAuditExport(); // #22: a month of the audit trail as a workbook, /api/admin/exports/audit.xlsx
app.MapAdminInspections(); // 巡查员、巡查计划与覆盖、内部审核: /admin/inspections
app.MapAdminSms(); // #21: 短信, a month's SMS in billing units by kind and org against the budget: /admin/sms
app.MapAdminTransfers(); // 组织关系转接 in transit, the letter's print page, the year's export: /admin/transfers, /api/admin/transfers, /api/admin/exports/transfers.xlsx
app.MapAdminImports(); // the roster's Excel import and export: /api/admin/imports, /api/admin/exports, /admin/imports
app.MapAdminDuties(); // the duty catalogue: /admin/duties, /api/admin/duties
app.MapAdminGoLive(); // 上线: /admin/go-live, PUT /api/admin/orgs/{id}/go-live
app.MapMpDues(); // party dues: /api/mp/dues/*
app.MapDuesPages(); // the dues disclosure /h5/dues/{orgId}/{year}, the console's 党费 /admin/dues and its exports
app.MapAdminDevelopment(); // member development: /admin/development, /api/admin/exports/development.xlsx
app.MapAdminCheckups(); // #18: 体检问卷, the 党性体检 questionnaire: /admin/checkups
app.MapCommunityPages(); // #20: 最in社区, the community showcase with 3D panoramas: /h5/communities, /h5/communities/{id}
app.MapAdminCommunities(); // #20: 社区展示, introductions and panoramas: /admin/communities
app.MapAdminReview(); // #20: 管理评审, the review pack /admin/review, its workbook /api/admin/exports/review.xlsx, the year's targets /admin/review/targets
app.MapMpDocuments(); // #19: controlled documents for the mini program: /api/mp/documents…
app.MapDocumentsPage(); // #19: the documents' reader /h5/documents, /h5/documents/{number}
app.MapAdminDocuments(); // #19: 受控文件 /admin/documents, and a duty's clause (/admin/duties/{code}/clause)
app.MapWechatCallbacks();
app.MapWechatPayNotify(); // WeChat Pay's payment and refund notifications: /wechat/pay/notify
app.MapSmsCallbacks(); // the SMS provider's receipts and replies: /sms/tencent/status, /sms/tencent/reply
app.MapWxQmsSandbox(); // only when the sandbox is on

app.Run();
