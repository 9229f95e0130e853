using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Sandbox;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Api;

/// <summary>
/// Every route of the Api against every kind of caller (issue #15). The routes come from
/// <c>/openapi/v1.json</c> and from the endpoint list itself; each needs a row in <see cref="Table"/> with the
/// outcome class every caller gets on an id of their own subtree and, for routes that name an org, task, wish or
/// member, on one of another community. A route without a row, or a row without a route, fails the test.
/// Writes carry a stale version (or nothing usable), so an admitted caller gets 400/404/409 and nothing changes;
/// the test checks that every table is as it was.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed partial class RouteMatrixTests(WxQmsApp app, RouteMatrixTests.World world) : IClassFixture<RouteMatrixTests.World>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The columns of <see cref="Table"/>, in order.</summary>
    public static readonly string[] Callers = ["anonymous", "resident", "member", "secretary", "worker", "committee", "staff", "inspector"];

    // Columns: anonymous resident member secretary worker committee staff inspector.
    // Own: an id in the callers' branch DFL-C03-B01 (or community DFL-C03); Outside: one of community DFL-C05.
    // 2xx and 3xx are classes; 4xx are exact. Writes send {"version":-1}: admitted callers get 400/409.
    private static readonly Row[] Table =
    [
        // Org tree (anonymous today; #15 asks for a signed-in caller who may read the subtree)
        new("GET /api/orgs", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"), // #15: orgs auth
        new("GET /api/orgs/{id}", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"), // #15: orgs auth
        new("GET /api/orgs/{id}/tree", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"), // #15: orgs auth

        // Sign-in
        new("POST /api/mp/login", "400 400 400 400 400 400 400 400"),
        new("POST /api/mp/bind", "401 400 400 400 400 400 400 400"),
        new("GET /api/mp/me", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"),

        // Tasks: members read their branch; secretaries and workers act on it; the committee reads; staff review
        new("GET /api/mp/tasks", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/tasks/summary", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/tasks/{id}", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/tasks/{id}/photos/{sha256}", "401 403 404 404 404 404 404 403", "401 403 403 403 403 403 404 403"),
        new("PUT /api/mp/tasks/{id}/plan", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/tasks/{id}/evidence", "401 403 403 400 400 403 400 403", "401 403 403 403 403 403 400 403"),
        new("POST /api/mp/tasks/{id}/review", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/uploads", "401 400 400 400 400 400 400 400"),
        new("GET /api/mp/orgs/{id}/members", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),

        // Ad-hoc tasks: issued by staff and community secretaries or committees (none of whom sits in a branch)
        new("POST /api/mp/adhoc-tasks", "401 403 403 403 403 403 409 403"),
        new("GET /api/mp/adhoc-tasks", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/adhoc-tasks/{id}", "401 403 403 403 403 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/adhoc-tasks/{id}/cancel", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),

        // Reminders and subscriptions
        new("GET /api/mp/reminders", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/subscriptions", "401 400 400 400 400 400 400 400"),
        new("GET /api/mp/subscriptions", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"),

        // Micro-wishes: published wishes are public to every signed-in user, whatever the community.
        // Wish actions decide who may act before the wish's status, version or the body (#15: they answered 409 to anyone).
        new("GET /api/mp/wishes", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("GET /api/mp/wishes/communities", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"), // #15: residents post wishes without the org tree
        new("GET /api/mp/wishes/{id}", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("POST /api/mp/wishes", "401 409 409 409 409 409 409 409"),
        new("POST /api/mp/wishes/{id}/approve", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/wishes/{id}/refuse", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/wishes/{id}/cancel", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/wishes/{id}/claim", "401 403 409 409 409 409 409 409", "401 403 409 409 409 409 409 409"),
        new("POST /api/mp/wishes/{id}/release", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/wishes/{id}/fulfil", "401 403 403 403 403 403 403 403", "401 403 403 403 403 403 403 403"),
        new("POST /api/mp/wishes/{id}/confirm", "401 403 403 403 403 403 403 403", "401 403 403 403 403 403 403 403"),

        // Member development (#17): the branch's people and those above watch and record its applicants (the higher
        // committee's steps: the community or the office); anyone signed in reads the steps and her own progress
        new("GET /api/mp/development/steps", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("GET /api/mp/development/applicants", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/development/applicants", "401 400 400 400 400 400 400 400"), // no sex: 400 before the org
        new("GET /api/mp/development/applicants/{id}", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/development/applicants/{id}/steps", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/development/applicants/{id}/extension", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("GET /api/mp/development/approvals", "401 403 403 403 403 403 2xx 403"), // the community's secretary or committee, the office
        new("GET /api/mp/development/me", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("POST /api/mp/development/me", "401 400 400 400 400 400 400 400"), // no sex: 400 before anything
        new("GET /api/mp/development/branches", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"), // the application form's list of branches
        new("GET /api/admin/exports/development.xlsx", "401 403 403 403 403 403 2xx 403"), // the year's numbers: the office's
        // Meetings (#18): the secretary shows check-in codes and sees the roster and leave; members scan, ask leave, rate.
        // Bodies name no task (404) or hold no reason or rating (409 request.invalid, as the wishes' do); the matrix's leave
        // request is refused already (409 leave.decided).
        new("POST /api/mp/checkins/codes", "401 403 404 404 404 404 404 404"),
        new("POST /api/mp/checkins", "401 403 404 404 404 404 404 404"),
        new("GET /api/mp/checkins", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/checkins/by-hand", "401 403 404 404 404 404 404 404"),
        new("GET /api/mp/leave-requests", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/leave-requests/meetings", "401 403 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("POST /api/mp/leave-requests", "401 403 409 409 409 409 409 409"),
        new("POST /api/mp/leave-requests/{id}/decision", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("GET /api/mp/meeting-feedback/{id}", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/meeting-feedback", "401 409 409 409 409 409 409 409"),

        // The console's JSON: the review queue is the office's
        new("GET /api/admin/reviews", "401 403 403 403 403 403 2xx 403"),
        // Go-live: set by office staff only
        new("PUT /api/admin/orgs/{id}/go-live", "401 403 403 403 403 403 400 403", "401 403 403 403 403 403 400 403"),
        new("DELETE /api/admin/orgs/{id}/go-live", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"), // none of its own to clear

        // Bot binding codes: printed by office staff
        new("GET /api/mp/orgs/{id}/bind-qrcode", "401 403 403 403 403 403 2xx 403", "401 403 403 403 403 403 2xx 403"),

        // Assessment: rankings of DFL-C03's (DFL-C05's) branches
        new("GET /api/rankings", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"), // #15: rankings
        new("GET /api/mp/me/stars", "401 403 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("GET /api/mp/members/{id}/stars", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/exports/rankings.xlsx", "401 403 403 403 403 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/exports/tasks.xlsx", "401 403 403 403 403 403 2xx 403", "401 403 403 403 403 403 2xx 403"),

        // The members' own part (#18): a check-up and a record for the member and her branch secretary only; 民主评议 for
        // those who keep the branch; a branch's stars for whoever reads it; the stars' spreadsheet for the office
        new("GET /api/mp/checkups/form", "401 2xx 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("GET /api/mp/checkups/me", "401 403 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("PUT /api/mp/checkups/me", "401 403 409 409 409 409 409 409"), // no questionnaire this year: nothing to answer
        new("GET /api/mp/checkups/members/{id}", "401 403 403 2xx 403 403 403 403", "401 403 403 403 403 403 403 403"),
        new("PUT /api/mp/checkups/members/{id}", "401 403 403 409 403 403 403 403", "401 403 403 403 403 403 403 403"),
        new("GET /api/mp/checkups/branches/{orgId}", "401 403 403 2xx 403 403 403 403", "401 403 403 403 403 403 403 403"),
        new("GET /api/mp/checkups/topics", "401 400 400 400 400 400 400 400"), // names no task
        new("GET /api/mp/appraisals/{orgId}", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("PUT /api/mp/appraisals/{orgId}", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"), // before the 组织生活会
        new("PUT /api/mp/appraisals/follow-ups/{followUpId}", "401 404 404 404 404 404 404 404"),
        new("GET /api/mp/me/record", "401 403 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("GET /api/mp/members/{id}/record", "401 403 403 2xx 403 403 403 403", "401 403 403 403 403 403 403 403"),
        new("GET /api/mp/stars/{orgId}", "401 403 2xx 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/exports/stars.xlsx", "401 403 403 403 403 403 2xx 403", "401 403 403 403 403 403 2xx 403"),

        // Console organisations (#16 item 3): staff reshape anywhere, a community's secretary or committee within it (none of
        // the callers here: their roles sit in a branch), everyone of the console reads their subtree; bodies lack fields (400)
        new("GET /api/admin/orgs", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/admin/orgs", "401 403 403 400 400 400 400 403"),
        new("GET /api/admin/orgs/terms", "401 403 403 2xx 2xx 2xx 2xx 403"),
        new("GET /api/admin/orgs/{id}", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/admin/orgs/{id}/rename", "401 403 403 403 403 403 400 403", "401 403 403 403 403 403 400 403"),
        new("POST /api/admin/orgs/{id}/move", "401 403 403 403 403 403 400 403", "401 403 403 403 403 403 400 403"),
        new("POST /api/admin/orgs/{id}/dissolve", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("PUT /api/admin/orgs/{id}/term", "401 403 403 403 403 403 400 403", "401 403 403 403 403 403 400 403"),
        new("PUT /api/admin/orgs/{id}/community", "401 403 403 403 403 403 400 403", "401 403 403 403 403 403 400 403"), // staff only

        // Not in the document on purpose (hand list): the H5 pages (nobody signed in: off to WeChat's OAuth),
        // the callbacks (signed by WeChat, not by a user), the bare endpoints and the API reference
        new("GET /admin", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true), // the console: its roles only; nobody is sent to sign in
        new("GET /admin/sign-in", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true), // a fresh QR code for anyone
        new("GET /admin/sign-in/status", "400 400 400 400 400 400 400 400", Hand: true), // no scene
        new("POST /admin/sign-out", "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx", Hand: true),
        new("GET /h5/admin", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true), // inside WeChat: OAuth, then the console's roles only
        new("GET /admin/reminders", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("GET /admin/reviews", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/reviews/{id}", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/reviews/{id}", "3xx 403 403 403 403 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/bind-codes", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/bind-codes/{id}", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/orgs", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("GET /admin/orgs/new", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/orgs/new", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/orgs/{id}", "3xx 403 403 2xx 2xx 2xx 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/orgs/{id}/rename", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/orgs/{id}/rename", "3xx 403 403 403 403 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/orgs/{id}/move", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/orgs/{id}/move", "3xx 403 403 403 403 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/orgs/{id}/dissolve", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/orgs/{id}/dissolve", "3xx 403 403 403 403 403 409 403", "3xx 403 403 403 403 403 409 403", Hand: true),
        new("GET /admin/orgs/{id}/term", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/orgs/{id}/term", "3xx 403 403 403 403 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/orgs/{id}/community", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/orgs/{id}/community", "3xx 403 403 403 403 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        // Console: members and roles (#16). Kept by staff, a community's secretary or committee, a branch's secretary or
        // worker (the matrix's committee sits on a branch committee: the console opens, its roster is empty).
        new("GET /api/admin/members", "401 403 403 2xx 2xx 2xx 2xx 403"),
        new("POST /api/admin/members", "401 403 403 400 400 400 400 403"),
        new("GET /api/admin/members/{id}", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("PUT /api/admin/members/{id}", "401 403 403 400 400 403 400 403", "401 403 403 403 403 403 400 403"),
        new("POST /api/admin/members/{id}/move", "401 403 403 400 400 403 400 403", "401 403 403 403 403 403 400 403"),
        new("POST /api/admin/members/{id}/deceased", "401 403 403 400 400 403 400 403", "401 403 403 403 403 403 400 403"),
        new("POST /api/admin/members/{id}/roles", "401 403 403 400 400 403 400 403", "401 403 403 403 403 403 400 403"),
        new("POST /api/admin/members/{id}/roles/end", "401 403 403 400 400 403 400 403", "401 403 403 403 403 403 400 403"),
        new("GET /api/admin/members/{id}/history", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /admin/members", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("GET /admin/members/new", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("POST /admin/members/new", "3xx 403 403 400 400 400 400 403", Hand: true),
        new("GET /admin/members/{id}", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/members/{id}/edit", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/members/{id}/edit", "3xx 403 403 400 400 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/members/{id}/move", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/members/{id}/move", "3xx 403 403 400 400 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/members/{id}/deceased", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/members/{id}/deceased", "3xx 403 403 400 400 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/members/{id}/roles/new", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/members/{id}/roles/new", "3xx 403 403 400 400 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/members/{id}/roles/end", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/members/{id}/roles/end", "3xx 403 403 400 400 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        // Transfers of organisational relationship (#17): kept by staff, a community's secretary or committee, a branch's
        // secretary or worker; the matrix's committee sits on a branch committee and keeps nobody. The {id} is a 党员证明信
        // (completed), so every action on it is refused by its state (409) once the caller may act.
        new("GET /api/mp/transfers", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/transfers/mine", "401 403 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("GET /api/mp/transfers/{id}", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/transfers", "401 403 403 400 400 403 400 403"),
        new("POST /api/mp/transfers/incoming", "401 403 403 400 400 403 400 403"),
        new("POST /api/mp/transfers/{id}/accept", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/transfers/{id}/receipt", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/transfers/{id}/cancel", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/transfers/{id}/reissue", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("GET /api/admin/transfers", "401 403 403 2xx 2xx 403 2xx 403"),
        new("GET /api/admin/exports/transfers.xlsx", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/admin/exports/audit.xlsx", "401 403 403 403 403 403 2xx 403"), // #22: a month of the trail
        new("GET /admin/transfers", "3xx 403 403 2xx 2xx 403 2xx 403", Hand: true),
        new("GET /admin/transfers/{id}/print", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/transfers/out/{id}", "3xx 403 403 2xx 2xx 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true), // #17: a letter out of a member
        new("POST /admin/transfers/out/{id}", "3xx 403 403 400 400 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("GET /admin/transfers/incoming", "3xx 403 403 2xx 2xx 403 2xx 403", Hand: true), // #17: a letter received from outside
        new("POST /admin/transfers/incoming", "3xx 403 403 400 400 403 400 403", Hand: true),
        // Nonconformities and corrective action (#19): the branch's secretary and worker correct, its committee and those above
        // read, the community's secretary or committee (or the office) check; writes carry a stale version (409)
        new("GET /api/mp/nonconformities", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/nonconformities/checks", "401 403 403 403 403 403 2xx 403"),
        new("GET /api/mp/nonconformities/{id}", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/nonconformities/{id}/actions", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/nonconformities/{id}/completion", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/nonconformities/{id}/checks", "401 403 403 403 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("GET /api/mp/nonconformities/{id}/photos/{sha256}", "401 403 403 404 404 404 404 403", "401 403 403 403 403 403 404 403"),
        new("GET /admin/nonconformities", "3xx 403 403 403 403 403 2xx 403", Hand: true), // the register: office staff
        new("GET /admin/sms", "3xx 403 403 403 403 403 2xx 403", Hand: true), // #21: SMS billing units and budget: office staff
        new("GET /admin/nonconformities/{id}", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        // Inspections (#19 items 2, 3, 6): the inspector's plan and the branch's reports; the id is a branch's self-inspection
        new("GET /api/mp/inspections", "401 403 403 2xx 2xx 2xx 2xx 2xx"),
        new("POST /api/mp/inspections/self", "401 400 400 400 400 400 400 400"), // no branch named
        new("GET /api/mp/inspections/{id}", "401 403 403 2xx 2xx 2xx 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/inspections/{id}/submit", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("GET /api/mp/inspections/{id}/photos/{sha256}", "401 403 403 404 404 404 404 403", "401 403 403 403 403 403 404 403"),
        new("GET /admin/inspections", "3xx 403 403 403 403 403 2xx 403", Hand: true), // the plan and its coverage: office staff
        new("POST /admin/inspections/inspectors", "3xx 403 403 403 403 403 3xx 403", Hand: true), // an empty form: back with its error
        new("POST /admin/inspections/plan", "3xx 403 403 403 403 403 3xx 403", Hand: true),
        new("POST /admin/inspections/{id}/remove", "3xx 403 403 403 403 403 3xx 403", "3xx 403 403 403 403 403 3xx 403", Hand: true), // a self-inspection is not the plan's
        new("GET /admin/inspections/{id}", "3xx 403 403 403 403 403 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/inspections/{id}/photos/{sha256}", "3xx 403 403 403 403 403 404 403", "3xx 403 403 403 403 403 404 403", Hand: true),
        new("GET /admin/inspections/audit", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/inspections/audit", "3xx 403 403 403 403 403 3xx 403", Hand: true), // no quarter: back with its error
        // The roster's Excel import and export (#16): office staff anywhere, a community's secretary in her community
        new("GET /api/admin/imports/roster-template.xlsx", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/admin/imports/roster", "401 403 403 403 403 403 400 403"), // not multipart: 400 import.no_file
        new("GET /api/admin/exports/roster.xlsx", "401 403 403 403 403 403 2xx 403"),
        new("GET /admin/imports", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/imports", "3xx 403 403 403 403 403 400 403", Hand: true),
        new("POST /admin/imports/confirm", "3xx 403 403 403 403 403 400 403", Hand: true),
        // The duty catalogue (#16): every console role reads it, office staff change it ("{code}" is no duty)
        new("GET /api/admin/duties", "401 403 403 2xx 2xx 2xx 2xx 403"),
        new("GET /api/admin/duties/{code}", "401 403 403 404 404 404 404 403"),
        new("POST /api/admin/duties/{code}/preview", "401 403 403 403 403 403 404 403"),
        new("POST /api/admin/duties/{code}/versions", "401 403 403 403 403 403 404 403"),
        new("PUT /api/admin/duties/{code}/versions/{version}", "401 403 403 400 400 400 400 403"),
        new("GET /admin/duties", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("GET /admin/duties/{code}", "3xx 403 403 404 404 404 404 403", Hand: true), // "{code}" is no duty
        new("POST /admin/duties/{code}", "3xx 403 403 403 403 403 404 403", Hand: true), // office staff only
        new("GET /admin/go-live", "3xx 403 403 403 403 403 2xx 403", Hand: true), // 上线: office staff only
        new("GET /admin/development", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true), // the pipeline each console role watches
        new("GET /admin/development/{id}", "3xx 403 403 2xx 2xx 2xx 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/development/{id}", "3xx 403 403 400 400 403 400 403", "3xx 403 403 403 403 403 400 403", Hand: true), // step 1 is the branch's
        new("POST /admin/go-live", "3xx 403 403 403 403 403 2xx 403", Hand: true), // not a form: re-rendered with its errors
        new("GET /h5/ranking", "3xx 403 2xx 2xx 2xx 2xx 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /h5/ranking/rankings.xlsx", "401 401 403 403 403 403 2xx 403", "401 401 403 403 403 403 2xx 403", Hand: true),
        new("GET /h5/ranking/tasks.xlsx", "401 401 403 403 403 403 2xx 403", "401 401 403 403 403 403 2xx 403", Hand: true),
        // The dashboard (#20): office staff (the subdistrict) and a community's secretary; a branch's roles are refused politely
        new("GET /h5/dashboard", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /h5/dashboard/list", "3xx 403 403 403 403 403 400 403", Hand: true), // no tile named
        new("GET /admin/dashboard", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/dashboard/list", "3xx 403 403 403 403 403 400 403", Hand: true),
        // Party dues (#23): a member's own; a branch's ledger kept by its secretary, worker and staff
        new("GET /api/mp/dues/mine", "401 403 2xx 2xx 2xx 2xx 404 2xx"), // office staff sit in no branch
        new("POST /api/mp/dues/pay", "401 403 409 409 409 409 404 409"),
        new("GET /api/mp/dues/branches/{id}", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("PUT /api/mp/dues/members/{id}/base", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/dues/members/{id}/cash", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/dues/members/{id}/waive", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/dues/members/{id}/reason", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/dues/branches/{id}/hand-ups", "401 403 403 409 409 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/dues/branches/{id}/publish", "401 403 403 409 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("GET /api/mp/dues/mine/declarations", "401 403 2xx 2xx 2xx 2xx 404 2xx"),
        new("POST /api/mp/dues/mine/declaration", "401 403 409 409 409 409 404 409"),
        new("GET /api/mp/dues/branches/{id}/declarations", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("POST /api/mp/dues/members/{id}/declaration/confirm", "401 403 403 409 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("POST /api/mp/dues/members/{id}/declaration/refuse", "401 403 403 409 403 403 409 403", "401 403 403 403 403 403 409 403"),
        new("GET /api/admin/dues/export", "401 403 403 2xx 2xx 2xx 2xx 403"),
        new("GET /api/admin/dues/branches/{id}/export", "401 403 403 2xx 2xx 403 2xx 403", "401 403 403 403 403 403 2xx 403"),
        new("GET /admin/dues", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("POST /admin/dues/cases/{caseId}/decision", "404 404 404 404 404 404 404 404", Hand: true), // "{caseId}" is no case
        new("GET /h5/dues/{orgId}/{year}", "404 404 404 404 404 404 404 404", "404 404 404 404 404 404 404 404", Hand: true), // "{year}" is no year
        new("GET /h5/stars/{orgId}", "3xx 403 2xx 2xx 2xx 2xx 2xx 403", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("GET /h5/stars/{orgId}/stars.xlsx", "401 401 403 403 403 403 2xx 403", "401 401 403 403 403 403 2xx 403", Hand: true),
        new("GET /admin/checkups", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true), // 体检问卷: the console reads it
        new("POST /admin/checkups", "3xx 403 403 403 403 403 400 403", Hand: true), // office staff only; no fields
        new("POST /admin/checkups/copy", "3xx 403 403 403 403 403 2xx 403", Hand: true), // nothing to copy: re-rendered
        new("POST /admin/checkups/{itemId}/remove", "3xx 403 403 403 403 403 404 403", Hand: true),
        // 最in社区 (#20): the showcase is public; the console's 社区展示 is read by its roles and changed by office staff
        new("GET /h5/communities", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /h5/communities/{communityId}", "404 404 404 404 404 404 404 404", Hand: true), // "{communityId}" is no community
        new("GET /h5/communities/{communityId}/scenes/{sceneId}/image", "404 404 404 404 404 404 404 404", Hand: true),
        new("GET /h5/communities/{communityId}/photos/{sha256}", "404 404 404 404 404 404 404 404", Hand: true),
        new("GET /admin/communities", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("GET /admin/communities/{communityId}", "404 404 404 404 404 404 404 404", Hand: true),
        new("POST /admin/communities/{communityId}/introduction", "404 404 404 404 404 404 404 404", Hand: true),
        new("POST /admin/communities/{communityId}/scenes", "404 404 404 404 404 404 404 404", Hand: true),
        new("POST /admin/communities/{communityId}/scenes/{sceneId}/remove", "404 404 404 404 404 404 404 404", Hand: true),
        new("POST /admin/communities/{communityId}/hotspots", "404 404 404 404 404 404 404 404", Hand: true),
        new("POST /admin/communities/{communityId}/hotspots/{hotspotId}/remove", "404 404 404 404 404 404 404 404", Hand: true),
        // 管理评审 (#20): the pack, its workbook, decisions and the year's targets are the office's alone
        new("GET /admin/review", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/review/decisions", "3xx 403 403 403 403 403 400 403", Hand: true), // no form: re-rendered with the refusal
        new("GET /admin/review/targets", "3xx 403 403 403 403 403 2xx 403", Hand: true),
        new("POST /admin/review/targets", "3xx 403 403 403 403 403 400 403", Hand: true), // no form: no kind
        new("POST /admin/review/targets/remove", "3xx 403 403 403 403 403 400 403", Hand: true), // names no target
        new("GET /api/admin/exports/review.xlsx", "401 403 403 403 403 403 2xx 403"),
        // Controlled documents (#19): every member reads those in force ("{number}" is no document); office staff keep them
        new("GET /api/mp/documents", "401 403 2xx 2xx 2xx 2xx 2xx 2xx"),
        new("GET /api/mp/documents/{number}", "401 403 404 404 404 404 404 404"),
        new("GET /h5/documents", "3xx 403 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /h5/documents/{number}", "3xx 403 404 404 404 404 404 404", Hand: true),
        new("GET /admin/documents", "3xx 403 403 2xx 2xx 2xx 2xx 403", Hand: true),
        new("POST /admin/documents", "3xx 403 403 403 403 403 400 403", Hand: true), // office staff only; no fields
        new("GET /admin/documents/{number}", "3xx 403 403 404 404 404 404 403", Hand: true),
        new("GET /admin/documents/{number}/diff", "3xx 403 403 404 404 404 404 403", Hand: true),
        new("POST /admin/documents/{number}/versions", "3xx 403 403 403 403 403 404 403", Hand: true),
        new("POST /admin/documents/{number}/versions/{version}/{action}", "3xx 403 403 403 403 403 404 403", Hand: true),
        new("POST /admin/duties/{code}/clause", "3xx 403 403 403 403 403 404 403", Hand: true), // "{code}" is no duty
        new("GET /h5/wishes", "3xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", "3xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /h5/wishes/new", "3xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("POST /h5/wishes", "401 403 403 403 403 403 403 403", Hand: true), // the form token is checked before the fields
        new("GET /h5/wishes/{id}", "3xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", "3xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("POST /h5/wishes/{id}/{action}", "401 403 403 403 403 403 403 403", "401 403 403 403 403 403 403 403", Hand: true),
        new("GET /h5/wishes/{id}/photos/{sha256}", "404 404 404 404 404 404 404 404", "404 404 404 404 404 404 404 404", Hand: true),
        new("GET /wechat/callback", "401 401 401 401 401 401 401 401", Hand: true),
        new("POST /wechat/callback", "401 401 401 401 401 401 401 401", Hand: true),
        new("GET /wechat/mp-callback", "401 401 401 401 401 401 401 401", Hand: true),
        new("POST /wechat/mp-callback", "401 401 401 401 401 401 401 401", Hand: true),
        new("POST /wechat/pay/notify", "401 401 401 401 401 401 401 401", Hand: true), // unsigned: WeChat Pay's failure body
        new("POST /sms/tencent/status", "401 401 401 401 401 401 401 401", Hand: true), // the provider's pushes carry ?token=
        new("POST /sms/tencent/reply", "401 401 401 401 401 401 401 401", Hand: true),
        new("GET /", "3xx 3xx 3xx 3xx 3xx 3xx 3xx 3xx", Hand: true),
        new("GET /ping", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /ping.json", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /healthz", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /readyz", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        // Public while Api:PublicDocs is on, as in the tests (#15: docs switch)
        new("GET /openapi/{documentName}.json", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /docs/{documentName}", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /docs/scalar.js", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /docs/scalar.aspnetcore.js", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
        new("GET /docs/favicon.svg", "2xx 2xx 2xx 2xx 2xx 2xx 2xx 2xx", Hand: true),
    ];

    /// <summary>
    /// Cells whose expectation is the target of work merging beside this test (#15): printed, not failed. The lead
    /// empties this set when the work lands; a cell here that already matches fails, so the set cannot go stale.
    /// </summary>
    private static readonly HashSet<string> KnownPending =
    [
    ];

    /// <summary>Routes the document leaves out on purpose and the table does not list: the sandbox imitates WeChat.</summary>
    private static bool ExcludedOnPurpose(string route) => route.Split(' ')[1].StartsWith("/sandbox", StringComparison.Ordinal);

    public sealed record Row(string Route, string Own, string? Outside = null, bool Hand = false);

    [Fact]
    public async Task Every_route_answers_every_caller_as_the_table_says_and_changes_nothing()
    {
        var documented = await DocumentedRoutesAsync();
        var mapped = MappedRoutes();
        var rows = Table.ToDictionary(r => r.Route);
        var failures = new List<string>();
        foreach (var route in documented.Keys.Where(r => !rows.ContainsKey(r)))
            failures.Add($"{route}: new route without an entry in RouteMatrixTests.Table");
        foreach (var route in mapped.Where(r => !rows.ContainsKey(r) && !ExcludedOnPurpose(r)))
            failures.Add($"{route}: mapped, not in the document and without an entry in RouteMatrixTests.Table");
        foreach (var row in Table)
        {
            if (!mapped.Contains(row.Route))
                failures.Add($"{row.Route}: in the table but no longer mapped (remove its row)");
            else if (row.Hand == documented.ContainsKey(row.Route))
                failures.Add($"{row.Route}: {(row.Hand ? "now in the document: drop Hand" : "left the document: mark it Hand")}");
            if (row.Outside is null != (ScopeParameter(row.Route, documented.GetValueOrDefault(row.Route)) is null))
                failures.Add($"{row.Route}: {(row.Outside is null ? "names an org, task, wish or member: add the outside column" : "names nothing to be outside of: drop the outside column")}");
        }

        var before = await world.ChecksumsAsync();
        var pending = new List<string>();
        var actualRows = new List<string>();
        foreach (var row in Table.Where(r => mapped.Contains(r.Route)))
        {
            var parameter = ScopeParameter(row.Route, documented.GetValueOrDefault(row.Route));
            foreach (var (variant, expected) in new[] { ("own", row.Own), ("outside", row.Outside) })
            {
                if (expected is null)
                    continue;
                var classes = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.True(classes.Length == Callers.Length, $"{row.Route} ({variant}): {classes.Length} columns, not {Callers.Length}");
                var outcomes = await Task.WhenAll(Callers.Select(caller =>
                    world.OutcomeAsync(row.Route, parameter, outside: variant == "outside", caller)));
                var actual = string.Join(' ', outcomes.Select(o => o.Class));
                if (actual != expected)
                    actualRows.Add($"{row.Route} ({variant}): \"{actual}\"");
                for (var i = 0; i < Callers.Length; i++)
                {
                    var cell = $"{row.Route} {variant} {Callers[i]}";
                    var matches = outcomes[i].Class == classes[i];
                    if (KnownPending.Contains(cell))
                    {
                        if (matches)
                            failures.Add($"{cell}: listed in KnownPending but already answers {classes[i]}: remove it from the set");
                        else
                            pending.Add($"{cell}: expected {classes[i]}, got {outcomes[i].Class} (pending #15)");
                    }
                    else if (!matches)
                    {
                        failures.Add($"{cell}: expected {classes[i]}, got {outcomes[i].Class} {outcomes[i].Detail}");
                    }
                }
            }
        }
        var after = await world.ChecksumsAsync();
        foreach (var (table, sum) in before)
        {
            if (after[table] != sum)
                failures.Add($"table {table} changed during the matrix");
        }

        foreach (var line in pending)
            TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', pending.Prepend($"{pending.Count} cells pending #15:")));
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join('\n', failures)
            + "\nWhat those routes answer now (columns as in the table):\n" + string.Join('\n', actualRows));
    }

    /// <summary>"GET /api/mp/tasks/{id}" → the operation's query parameters, from the document.</summary>
    private async Task<Dictionary<string, string[]>> DocumentedRoutesAsync()
    {
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json", Ct);
        Assert.True(response.IsSuccessStatusCode, $"/openapi/v1.json: {(int)response.StatusCode}");
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var routes = new Dictionary<string, string[]>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var query = operation.Value.TryGetProperty("parameters", out var parameters)
                    ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query")
                        .Select(p => p.GetProperty("name").GetString()!).ToArray()
                    : [];
                routes[$"{operation.Name.ToUpperInvariant()} {Normalise(path.Name)}"] = query;
            }
        }
        return routes;
    }

    /// <summary>Every route the Api maps, as "METHOD /template" without constraints.</summary>
    private HashSet<string> MappedRoutes()
    {
        var routes = new HashSet<string>();
        foreach (var endpoint in app.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
                routes.Add($"{method} {Normalise(endpoint.RoutePattern.RawText ?? "")}");
        }
        return routes;
    }

    private static string Normalise(string template)
    {
        var path = Constraint().Replace(template, "{$1}").TrimEnd('/');
        return path.Length == 0 ? "/" : path.StartsWith('/') ? path : "/" + path;
    }

    [GeneratedRegex(@"\{(\*{0,2}\w+)[^}]*\}")]
    private static partial Regex Constraint();

    /// <summary>What a route names that can lie outside the caller's subtree: an id in its path, or a scope-like query.</summary>
    private static string? ScopeParameter(string route, string[]? query)
    {
        if (route.Contains("{id}", StringComparison.Ordinal))
            return "{id}";
        if (route.Contains("{orgId}", StringComparison.Ordinal))
            return "{orgId}";
        string[] names = ["scope", "community", "orgId", "taskId"];
        if (query is not null)
            return names.FirstOrDefault(query.Contains);
        return route switch
        {
            "GET /h5/ranking" or "GET /h5/ranking/rankings.xlsx" or "GET /h5/ranking/tasks.xlsx" => "scope",
            "GET /h5/wishes" => "community",
            _ => null,
        };
    }

    /// <summary>
    /// The fixed world of the matrix: the demo subdistrict with this year's plan, one caller of each kind in branch
    /// DFL-C03-B01, and an org, task, wish, ad-hoc task and member in DFL-C03 (own) and DFL-C05 (outside).
    /// </summary>
    public sealed class World(WxQmsApp app) : IAsyncLifetime
    {
        private readonly WishWorld w = new(app);

        /// <summary>Sees redirects as they are and keeps no cookies: an H5 page's cookie would sign in the next caller.</summary>
        private readonly HttpClient client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        private readonly Dictionary<string, string?> tokens = [];
        private readonly Dictionary<(string Kind, bool Outside), long> ids = [];

        public async ValueTask InitializeAsync()
        {
            await w.InitializeAsync();
            var month = await app.PlanMonthAsync();

            // A branch of each community with a secretary, a worker, a committee member and a plain member in a party group.
            foreach (var (community, outside) in new[] { ("DFL-C03", false), ("DFL-C05", true) })
            {
                var branch = await ScalarAsync("""
                    SELECT o.id FROM orgs o
                    WHERE o.code LIKE CONCAT(@community, '-B%') AND o.kind = 'branch'
                      AND EXISTS (SELECT 1 FROM member_roles r WHERE r.org_id = o.id AND r.role = 'committee'
                          AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role NOT IN ('committee', 'member')))
                      AND EXISTS (SELECT 1 FROM member_roles r WHERE r.org_id = o.id AND r.role = 'worker'
                          AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role NOT IN ('worker', 'member', 'committee')))
                    ORDER BY o.id LIMIT 1
                    """, new { community });
                ids[("branch", outside)] = branch;
                ids[("community", outside)] = await ScalarAsync("SELECT id FROM orgs WHERE code = @community", new { community });
                ids[("task", outside)] = await ScalarAsync(
                    "SELECT id FROM tasks WHERE org_id = @branch AND template_code = @code AND period_key = @key",
                    new { branch, code = TaskCodes.ThemePartyDay, key = month.Key });
                ids[("member", outside)] = await PlainMemberOfAsync(branch, offset: 1);
                // A leave request from that meeting, refused already: deciding it again changes nothing (#18).
                ids[("leave", outside)] = await ScalarAsync("""
                    INSERT INTO leave_requests (task_id, member_id, reason, state, requested_at, decided_at, note)
                    VALUES (@task, @member, '矩阵测试', 'refused', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), NULL);
                    SELECT LAST_INSERT_ID();
                    """, new { task = ids[("task", outside)], member = ids[("member", outside)] });
            }
            var own = ids[("branch", false)];
            ids[("org", false)] = own;
            ids[("org", true)] = ids[("branch", true)];

            tokens["anonymous"] = null;
            tokens["resident"] = await w.Wx.SignInAsync(w.Api, SandboxDriverUsers.ResidentMpOpenId, bind: false);
            tokens["member"] = (await w.MemberAsync(await PlainMemberOfAsync(own, offset: 0))).Token;
            // Each caller holds that one role here and no wider one (a secretary or worker may sit on the committee too).
            foreach (var role in new[] { "secretary", "worker", "committee" })
                tokens[role] = (await w.MemberAsync(await ScalarAsync("""
                    SELECT r.member_id FROM member_roles r
                    WHERE r.role = @role AND r.org_id = @own
                      AND NOT EXISTS (SELECT 1 FROM member_roles x WHERE x.member_id = r.member_id AND x.role NOT IN (@role, 'member', 'committee'))
                    ORDER BY r.member_id LIMIT 1
                    """, new { role, own }))).Token;
            var staff = await w.HolderAsync("staff", "DFL");
            tokens["staff"] = staff.Token;
            // The seeded inspectors are office staff as well: an inspector and nothing else is a member of a third community.
            var inspector = await PlainMemberOfAsync(await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C07-B01'"), offset: 0);
            await ExecuteAsync("""
                INSERT INTO member_roles (member_id, role, org_id, created_at)
                SELECT @inspector, 'inspector', id, UTC_TIMESTAMP(6) FROM orgs WHERE code = 'DFL'
                """, new { inspector });
            tokens["inspector"] = (await w.MemberAsync(inspector)).Token;

            foreach (var (community, outside) in new[] { ("DFL-C03", false), ("DFL-C05", true) })
            {
                var wisher = await w.PlainMemberAsync(7, community);
                ids[("wish", outside)] = (await w.PublishedWishAsync(wisher, staff)).Id();
                var adhoc = await w.ExpectAsync(System.Net.HttpStatusCode.Created, "/api/mp/adhoc-tasks", staff, new
                {
                    title = "矩阵测试临时任务", dueOn = Periods.LocalDate(app.Clock.GetUtcNow()).AddDays(20), points = 1,
                    orgIds = new[] { ids[("community", outside)] },
                });
                ids[("adhoc", outside)] = adhoc.GetProperty("id").GetInt64();
                var applicant = await w.ExpectAsync(System.Net.HttpStatusCode.Created, "/api/mp/development/applicants", staff, new
                {
                    orgId = ids[("branch", outside)], name = "矩阵测试申请人", sex = "female", birthDate = new DateOnly(1998, 3, 1),
                });
                ids[("applicant", outside)] = applicant.GetProperty("id").GetInt64();
                // Printing a branch's QR code stores the code once; the matrix's prints reuse it.
                using var printed = await w.SendAsync(HttpMethod.Get, $"/api/mp/orgs/{ids[("org", outside)]}/bind-qrcode", staff);
                Assert.True(printed.IsSuccessStatusCode, $"bind-qrcode: {(int)printed.StatusCode}");
                // A 党员证明信 (a completed transfer: every action on it is refused by its state, so nothing changes).
                var certificate = await w.ExpectAsync(System.Net.HttpStatusCode.Created, "/api/mp/transfers", staff, new
                {
                    kind = "certificate", memberId = await PlainMemberOfAsync(ids[("branch", outside)], offset: 2), toOrgName = "矩阵测试外出地",
                    leaveMonths = 3,
                });
                ids[("transfer", outside)] = certificate.GetProperty("id").GetInt64();
                // A nonconformity of the branch, open: every step on it carries a stale version (409) once the caller may act.
                ids[("nonconformity", outside)] = (await app.Get<WxQms.Domain.Services.Nonconformities.NonconformityService>().RaiseAsync(
                    new(ids[("branch", outside)], WxQms.Domain.Model.NonconformitySource.Inspection, $"matrix:{outside}", "DFL-QP-03 §4.2",
                        WxQms.Domain.Model.NonconformitySeverity.Minor, "矩阵测试不符合项"),
                    WxQms.Domain.Services.Nonconformities.NcActor.System, CancellationToken.None)).Id;
                // A self-inspection of the branch, planned: a submission without answers is refused (409) once the caller may fill it.
                var root = await QuerySingleAsync<(long Id, string Path)>("SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1");
                var office = new WxQms.Domain.Services.Nonconformities.NcActor(
                    [new WxQms.Domain.Rules.Grant(WxQms.Domain.Model.Roles.Staff, root.Id, root.Path, WxQms.Domain.Model.OrgKind.Subdistrict)], "matrix", null, null);
                var branchPath = await QuerySingleAsync<string>("SELECT path FROM orgs WHERE id = @id", new { id = ids[("branch", outside)] });
                ids[("inspection", outside)] = await app.Get<WxQms.Domain.Services.Inspections.InspectionService>().StartSelfInspectionAsync(
                    office, ids[("branch", outside)], branchPath, WxQms.Domain.Model.OrgKind.Branch, CancellationToken.None);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static Task<long> PlainMemberOfAsync(long branch, int offset) => ScalarAsync("""
            SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.id = @branch
            WHERE o.path LIKE CONCAT(b.path, '%') AND o.kind = 'party_group' AND m.status = 'full'
              AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
            ORDER BY m.id LIMIT 1 OFFSET @offset
            """, new { branch, offset });

        private long IdFor(string route, bool outside)
        {
            var path = route.Split(' ')[1];
            var kind = path switch
            {
                _ when path.Contains("/adhoc-tasks/{id}") => "adhoc",
                _ when path.Contains("/applicants/{id}") || path.Contains("/development/{id}") => "applicant",
                _ when path.Contains("/transfers/out/{id}") => "member",
                _ when path.Contains("/transfers/{id}") => "transfer",
                _ when path.Contains("/nonconformities/{id}") => "nonconformity",
                _ when path.Contains("/inspections/{id}") => "inspection",
                _ when path.Contains("/leave-requests/{id}") => "leave",
                _ when path.Contains("/meeting-feedback/{id}") => "task",
                _ when path.Contains("/reviews/{id}") => "task",
                _ when path.Contains("/bind-codes/{id}") => "org",
                _ when path.Contains("/dues/branches/{id}") => "branch",
                _ when path.Contains("/tasks/{id}") => "task",
                _ when path.Contains("/wishes/{id}") => "wish",
                _ when path.Contains("/members/{id}") => "member",
                _ when path.Contains("/orgs/{id}") => "org",
                _ => throw new InvalidOperationException($"{route}: which kind of id?"),
            };
            return ids[(kind, outside)];
        }

        public async Task<(string Class, string Detail)> OutcomeAsync(string route, string? parameter, bool outside, string caller)
        {
            var method = new HttpMethod(route.Split(' ')[0]);
            var url = route.Split(' ')[1]
                .Replace("{sha256}", new string('0', 64))
                .Replace("{action}", "claim")
                .Replace("{documentName}", "v1")
                .Replace("{followUpId}", "0")
                .Replace("{itemId}", "0")
                .Replace("/docs/{documentName}", "/docs/");
            if (parameter == "{id}")
                url = url.Replace("{id}", IdFor(route, outside).ToString());
            else if (parameter == "{orgId}")
                url = url.Replace("{orgId}", ids[("branch", outside)].ToString());
            else if (parameter is not null)
            {
                // Named explicitly, so that a caller's default (their own org) does not stand in for the id under test.
                var ranking = route.Contains("ranking", StringComparison.Ordinal);
                var org = ids[(parameter == "taskId" ? "task" : parameter == "community" || ranking ? "community" : "branch", outside)];
                url += $"?{parameter}={org}" + (ranking ? "&level=branch" : "");
            }
            using var request = new HttpRequestMessage(method, url);
            if (method == HttpMethod.Post || method == HttpMethod.Put)
            {
                request.Content = route.StartsWith("POST /h5/", StringComparison.Ordinal)
                    ? new FormUrlEncodedContent([])
                    : new StringContent("""{"version":-1}""", Encoding.UTF8, "application/json");
            }
            if (tokens[caller] is { } token)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request, Ct);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(Ct);
            var detail = CodeIn(body) ?? Regex.Replace(body.Length > 60 ? body[..60] : body, @"\s+", " ");
            return (status switch { >= 200 and < 300 => "2xx", >= 300 and < 400 => "3xx", _ => status.ToString() }, detail);
        }

        private static string? CodeIn(string body)
        {
            try
            {
                var root = JsonDocument.Parse(body).RootElement;
                return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) ? code.ToString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>CHECKSUM TABLE of every table: any write during the matrix shows.</summary>
        public async Task<Dictionary<string, long?>> ChecksumsAsync()
        {
            var tables = (await TestDb.QueryAsync<string>(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'")).ToList();
            var rows = await TestDb.QueryAsync<(string Table, long? Checksum)>($"CHECKSUM TABLE {string.Join(", ", tables.Select(t => $"`{t}`"))}");
            return rows.ToDictionary(r => r.Table, r => r.Checksum);
        }
    }
}
