using System.Net;
using MiniExcelLibs;
using WxQms.Tests.Assessment;
using WxQms.Tests.Infrastructure;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Jobs;

/// <summary>
/// The office exports an old month of the audit trail (#22 item 2): exactly that Shanghai month's entries, in order, with
/// the org's name; an entry at 00:00 on the 1st (16:00 UTC the day before) belongs to the new month; others are refused.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class AuditExportTests(WxQmsApp app, SeededSubdistrict seeded) : IClassFixture<SeededSubdistrict>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly AssessmentWorld people = new(app);

    private Task<HttpClient> ClientAsync(long memberId)
    {
        _ = seeded; // the class's demo subdistrict, seeded once
        return people.ClientAsync(memberId);
    }

    [Fact]
    public async Task The_office_exports_one_shanghai_month_of_the_trail_and_no_one_else_may()
    {
        var org = await ScalarAsync("SELECT id FROM orgs WHERE code = 'DFL-C01'");
        await ExecuteAsync("""
            INSERT INTO audit_log (occurred_at, actor, action, entity_type, entity_id, org_id, data) VALUES
              ('2026-02-28 15:59:59', '审计测试', 'test.before', 'test', 1, @org, NULL),
              ('2026-02-28 16:00:00', '审计测试', 'test.first', 'test', 2, @org, '{"n":1}'),
              ('2026-03-31 15:59:59', '审计测试', 'test.last', 'test', 3, NULL, NULL),
              ('2026-03-31 16:00:00', '审计测试', 'test.after', 'test', 4, @org, NULL)
            """, new { org });
        var office = await ClientAsync(await people.HolderAsync("staff", "DFL"));

        var file = await office.GetAsync("/api/admin/exports/audit.xlsx?month=2026-03", Ct);

        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Contains("2026-03", file.Content.Headers.ContentDisposition?.FileNameStar ?? file.Content.Headers.ContentDisposition?.FileName);
        await using var stream = new MemoryStream(await file.Content.ReadAsByteArrayAsync(Ct));
        var rows = MiniExcel.Query(stream, useHeaderRow: true).Cast<IDictionary<string, object>>()
            .Where(r => (string)r["操作人"] == "审计测试").ToList();
        Assert.Equal(["test.first", "test.last"], rows.Select(r => (string)r["操作"]));
        Assert.Equal("2026-03-01 00:00:00", rows[0]["时间"]);
        Assert.Equal("2026-03-31 23:59:59", rows[1]["时间"]);
        Assert.Equal(await QuerySingleAsync<string>("SELECT name FROM orgs WHERE id = @org", new { org }), rows[0]["组织"]);
        Assert.Equal("{\"n\":1}", rows[0]["内容"]);

        var bad = await office.GetAsync("/api/admin/exports/audit.xlsx?month=2026-13", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("request.invalid", await bad.Content.ReadAsStringAsync(Ct));
        var secretary = await ClientAsync(await people.HolderAsync("secretary", "DFL-C01-B01"));
        Assert.Equal(HttpStatusCode.Forbidden, (await secretary.GetAsync("/api/admin/exports/audit.xlsx?month=2026-03", Ct)).StatusCode);
    }
}
