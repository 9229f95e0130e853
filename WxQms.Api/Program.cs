using Scalar.AspNetCore;
using WxQms.Api.Infrastructure;
using WxQms.Api.Orgs;
using WxQms.Domain.Hosting;

var builder = WebApplication.CreateBuilder(args);

// Stores, caches, services and health checks shared with WxQms.Jobs
builder.AddWxQmsCore();

// Errors are ProblemDetails, JSON is camelCase and leaves Chinese readable
builder.AddApiConventions();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.MapScalarApiReference("/docs", o => o.WithTitle("WxQms API"));
app.MapHealthEndpoints();
app.MapOrgs();

app.Run();
