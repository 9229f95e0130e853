using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using MiniExcelLibs;
using WxQms.Domain.Rules;

namespace WxQms.Bench;

/// <summary>
/// The roster import (issue #16): a workbook of 2,000 new members (with ID-card numbers, phones and a secretary
/// per branch) in 20 new branches under a community, uploaded to <c>POST /api/admin/imports/roster</c> as office
/// staff. The baseline, measured in the same run on the same file, is the dry run (read and check every row, write
/// nothing); then the import (one transaction) and the same file again (nothing changes). Goal: the import under
/// 10 s. Each round is a new file of new people; the spread of the rounds' times and ratios is printed last.
///   WxQms.Bench roster-import &lt;baseUrl&gt; &lt;staff token&gt; &lt;community code&gt; [members] [rounds]
/// </summary>
public static class RosterImport
{
    public static async Task<int> RunAsync(string baseUrl, string token, string community, int members, int rounds)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var first = Random.Shared.Next(0, 5000 - rounds); // new people on every run of the same database
        var imports = new List<double>();
        var ratios = new List<double>();
        var allOk = true;
        for (var round = 0; round < Math.Max(1, rounds); round++)
        {
            var bytes = Workbook(community, members, first + round);
            var (dryOk, dry) = await PostAsync(http, bytes, dryRun: true);
            var (applyOk, apply) = await PostAsync(http, bytes, dryRun: false);
            var (againOk, again) = await PostAsync(http, bytes, dryRun: false);
            var ok = dryOk && applyOk && againOk && apply.TotalSeconds < 10;
            allOk &= ok;
            imports.Add(apply.TotalSeconds);
            ratios.Add(apply / dry);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"roster-import round={round + 1} members={members} file={bytes.Length / 1024}KB dry-run={dry.TotalSeconds:0.00}s " +
                $"import={apply.TotalSeconds:0.00}s again={again.TotalSeconds:0.00}s import/dry-run={apply / dry:0.00} goal=10s {(ok ? "ok" : "SLOW or FAILED")}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"roster-import {imports.Count} rounds: import {imports.Min():0.00}–{imports.Max():0.00}s (median {Median(imports):0.00}s), " +
            $"import/dry-run {ratios.Min():0.00}–{ratios.Max():0.00} (median {Median(ratios):0.00}) goal=10s {(allOk ? "ok" : "SLOW or FAILED")}"));
        return allOk ? 0 : 1;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<(bool Ok, TimeSpan Took)> PostAsync(HttpClient http, byte[] bytes, bool dryRun)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        form.Add(file, "file", "roster.xlsx");
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsync($"/api/admin/imports/roster?dryRun={(dryRun ? "true" : "false")}", form);
        var body = await response.Content.ReadAsStringAsync();
        clock.Stop();
        if (!response.IsSuccessStatusCode)
            Console.Error.WriteLine($"roster-import dryRun={dryRun}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 600)]}");
        return (response.IsSuccessStatusCode, clock.Elapsed);
    }

    private static byte[] Workbook(string community, int members, int run)
    {
        var branches = Math.Max(1, members / 100);
        var orgs = Enumerable.Range(0, branches).Select(b => new Dictionary<string, object?>
        {
            [RosterSheet.OrgCode] = Code(community, run, b), [RosterSheet.OrgName] = $"压测第{run}-{b + 1}党支部", [RosterSheet.OrgKindColumn] = "党支部",
            [RosterSheet.ParentCode] = community, [RosterSheet.EstablishedOn] = "",
        }).ToList();
        var rows = Enumerable.Range(0, members).Select(i =>
        {
            var birth = new DateOnly(1950, 1, 1).AddDays(run * 3 + i / 1000);
            return new Dictionary<string, object?>
            {
                [RosterSheet.MemberOrg] = Code(community, run, i % branches), [RosterSheet.Name] = $"压测党员{i:0000}", [RosterSheet.SexColumn] = i % 2 == 0 ? "女" : "男",
                [RosterSheet.BirthDate] = birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), [RosterSheet.IdCard] = IdCard(birth, i % 1000),
                [RosterSheet.Phone] = string.Create(CultureInfo.InvariantCulture, $"166{run:0000}{i:0000}"), [RosterSheet.Status] = "正式党员",
                [RosterSheet.JoinedOn] = "2005-07-01", [RosterSheet.AdmittedOn] = "", [RosterSheet.Retired] = "否", [RosterSheet.Mobile] = "否",
                [RosterSheet.RolesColumn] = i < branches ? "书记" : "", [RosterSheet.RolesSince] = i < branches ? "2026-01-01" : "",
            };
        }).ToList();
        using var stream = new MemoryStream();
        stream.SaveAs(new Dictionary<string, object> { [RosterSheet.OrgSheet] = orgs, [RosterSheet.MemberSheet] = rows }, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }

    private static string Code(string community, int run, int branch) => string.Create(CultureInfo.InvariantCulture, $"{community}-R{run}-{branch:00}");

    private static string IdCard(DateOnly birth, int n)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"110101{birth:yyyyMMdd}{n:000}");
        foreach (var c in "0123456789X")
            if (IdCardNumbers.Normalize(head + c) is { } valid)
                return valid;
        throw new InvalidOperationException(head);
    }
}
