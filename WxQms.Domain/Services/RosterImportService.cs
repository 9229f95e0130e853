using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Storage;
using static WxQms.Domain.Rules.RosterSheet;

namespace WxQms.Domain.Services;

/// <summary>What an upload is: its file name and SHA-256 (for the trail), and whether it only checks (dry run).</summary>
public sealed record RosterUpload(string FileName, string Sha256, bool DryRun);

/// <summary>
/// The roster's Excel import and export (issue #16): who may use them (office staff anywhere; a community's secretary
/// within her community, her export with ID-card numbers masked where she is not the member's branch secretary, which her import reads as "unchanged"), the whole file checked before anything is written, and the file written in one
/// transaction or not at all; the caches retired after the commit. The workbook itself is read and written by the Api;
/// here a file is its rows (<see cref="RosterFile"/>).
/// </summary>
public sealed class RosterImportService(RosterImportStore store, IdCardProtector idCards, OrgTreeCache orgTrees, TaskCache tasks,
    TokenVersions tokenVersions, PlanService plans, RankingCache rankings, TimeProvider clock)
{
    /// <summary>
    /// The subtree the grants let their holder import into and export: office staff everywhere, the secretary of a
    /// community (an org directly under the subdistrict) within it; null for anyone else.
    /// </summary>
    public static string? Scope(IEnumerable<Grant> grants) => grants
        .Select(g => g.Role switch
        {
            Roles.Staff => OrgPath.Root,
            Roles.Secretary when OrgPath.IsValid(g.OrgPath) && OrgPath.Depth(g.OrgPath) == 1 => g.OrgPath,
            _ => null,
        }).OfType<string>().OrderBy(p => p.Length).FirstOrDefault();

    private static string ScopeOf(IEnumerable<Grant> grants) =>
        Scope(grants) ?? throw new ForbiddenException("auth.forbidden", "名册导入导出仅限街道党建办工作人员和社区党委书记");

    /// <summary>Checks the file and, when it has no error and is not a dry run, writes all of it.</summary>
    public async Task<RosterReport> ImportAsync(RosterFile file, RosterUpload upload, IReadOnlyList<Grant> grants, string actor,
        long? actorMemberId, CancellationToken ct)
    {
        var grantList = grants.ToList();
        var scope = ScopeOf(grantList);
        var orgs = await store.OrgsAsync(ct);
        var planner = new RosterImportPlanner(file, orgs, scope, grantList.Any(g => g.Role == Roles.Staff), idCards);
        var (newOrgs, orgUpdates, orgCounts) = planner.Orgs();
        var lines = planner.ReadMembers();
        var (matched, roles) = await store.MatchAsync(
            lines.Select(l => l.Lookup).OfType<byte[]>().ToList(), lines.Select(l => l.Phone).OfType<string>().ToList(),
            lines.Where(l => l.PhoneMask is not null && l.Lookup is null).Select(l => l.Name).Distinct().ToList(), ct);
        var secretaryOrgs = lines.SelectMany(l => l.Roles).Where(r => r.Role == Roles.Secretary)
            .Select(r => orgs.FirstOrDefault(o => o.Code == r.OrgCode)?.Id).OfType<long>().Distinct().ToList();
        var secretaries = await store.SecretariesAsync(secretaryOrgs, ct);
        var now = clock.GetUtcNow();
        var members = planner.Members(lines, matched, roles, secretaries, now);
        var errors = planner.Errors.OrderBy(e => e.Sheet == OrgSheet ? 0 : 1).ThenBy(e => e.Row)
            .ThenBy(e => Column(e.Sheet, e.Column)).ToList();
        var memberCounts = members.Counts;
        var report = new RosterReport(upload.DryRun, false, orgCounts, memberCounts, errors);
        if (errors.Count > 0 || upload.DryRun)
            return report;
        if (report.Create + report.Update == 0)
            return report with { Applied = true }; // the file is the roster as it is: nothing to write

        var changes = new RosterChanges(newOrgs, orgUpdates, members.New, members.Updates, members.Grants, members.Starts, members.Ends, members.Bumps);
        var scopeOrg = orgs.FirstOrDefault(o => o.Path == scope)?.Id;
        await store.ApplyAsync(changes, actor, now, created => new AuditEntry(now, actor, "roster.imported", "roster", null, scopeOrg,
            actorMemberId, new
            {
                upload.FileName,
                upload.Sha256,
                Orgs = orgCounts,
                Members = memberCounts,
                CreatedOrgs = newOrgs.Select(o => o.Code).ToList(),
                UpdatedOrgs = orgUpdates.Select(o => o.Item1).ToList(),
                CreatedMembers = created.Values.Order().ToList(),
                UpdatedMembers = members.Updates.Select(u => u.Item1).Concat(members.Grants.Select(g => g.MemberId).OfType<long>())
                    .Concat(members.Starts.Select(s => s.MemberId)).Concat(members.Ends.Select(e => e.MemberId)).Distinct().Order().ToList(),
                EndedRoles = members.Ends.Select(e => new { e.MemberId, e.Role, e.OrgId }).ToList(),
            }), ct);

        await orgTrees.InvalidateAsync();
        await tasks.InvalidateAsync();
        foreach (var id in members.Bumps)
            await tokenVersions.PublishAsync(id, ct);
        // New orgs get their duties now rather than at the plan job's next run (adding only what is missing).
        if (newOrgs.Count > 0)
            await plans.CompleteCurrentPlansAsync(now, ct);
        // Rankings name orgs and count their rolls: a new branch ranks now, not once the cached ranking expires.
        await rankings.InvalidateAsync();
        return report with { Applied = true };
    }

    /// <summary>The roster of the caller's scope in the workbook's columns: the orgs under it and the members on the roll.</summary>
    public async Task<RosterFile> ExportAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var scope = ScopeOf(grants);
        var orgs = await store.OrgsAsync(ct);
        var byId = orgs.ToDictionary(o => o.Id);
        var orgRows = orgs.Where(o => o.Kind != OrgKind.Subdistrict && OrgPath.IsWithin(o.Path, scope))
            .OrderBy(o => o.Depth).ThenBy(o => o.Path, StringComparer.Ordinal)
            .Select((o, i) => new RosterRow(i + 2, new Dictionary<string, object?>
            {
                [OrgCode] = o.Code,
                [OrgName] = o.Name,
                [OrgKindColumn] = OrgTree.KindLabel(o.Kind),
                [ParentCode] = o.ParentId is { } p && byId.TryGetValue(p, out var parent) ? parent.Code : "",
                [EstablishedOn] = DateText(o.EstablishedOn),
            })).ToList();
        var members = await store.ExportAsync(scope, ct);
        var paths = orgs.ToDictionary(o => o.Code, o => o.Path, StringComparer.Ordinal);
        var memberRows = members.Select((e, i) =>
        {
            var m = e.Member;
            // 任职日期 applies to every role of the row, so it is written only when all her roles started that day.
            var since = e.Roles.Where(r => r.Role != Roles.Member).Select(r => r.StartsOn).Distinct().ToList();
            var full = MemberAccess.SeesPersonalData(grants, paths.GetValueOrDefault(e.OrgCode, ""));
            return new RosterRow(i + 2, new Dictionary<string, object?>
            {
                [MemberOrg] = e.OrgCode,
                [Name] = m.Name,
                [SexColumn] = SexWord(m.Sex),
                [BirthDate] = DateText(m.BirthDate),
                [IdCard] = m.IdCardCipher is { } c && idCards.IsConfigured
                    ? full ? idCards.Unprotect(c) : IdCardNumbers.Mask(idCards.Unprotect(c))
                    : "",
                [Phone] = m.Phone is { } phone ? full ? phone : MaskPhone(phone) : "",
                [Status] = StatusWord(m.Status),
                [JoinedOn] = DateText(m.JoinedOn),
                [AdmittedOn] = DateText(m.AdmittedOn),
                [Retired] = RosterSheet.YesNo(m.Retired),
                [Mobile] = RosterSheet.YesNo(m.Mobile),
                [RolesColumn] = RolesCell(e.Roles.Select(r => (r.Role, r.OrgCode)), e.OrgCode),
                // One date for the cell: the roles' start when they share one (else left empty: the import keeps them).
                [RolesSince] = since is [{ } on] ? DateText(on) : "",
            });
        }).ToList();
        return new RosterFile(orgRows, memberRows);
    }

    /// <summary>
    /// The template's two example rows under the caller's widest org: a new branch with its secretary and a
    /// probationary member. Office staff get a community of the subdistrict as the example's parent.
    /// </summary>
    public async Task<RosterFile> TemplateAsync(IReadOnlyList<Grant> grants, CancellationToken ct)
    {
        var scope = ScopeOf(grants);
        var orgs = await store.OrgsAsync(ct);
        var parent = orgs.Where(o => OrgPath.IsWithin(o.Path, scope) && o.Kind is OrgKind.CommunityCommittee or OrgKind.GeneralBranch)
            .OrderBy(o => o.Depth).ThenBy(o => o.Path, StringComparer.Ordinal).FirstOrDefault();
        var parentCode = parent?.Code ?? "（上级组织编码）";
        var code = $"{parentCode}-示例支部".Length <= 64 ? $"{parentCode}-NEW01" : "NEW01";
        var orgRows = new List<RosterRow>
        {
            new(2, new Dictionary<string, object?>
            {
                [OrgCode] = code, [OrgName] = "示例第一党支部", [OrgKindColumn] = "党支部", [ParentCode] = parentCode, [EstablishedOn] = "2024-07-01",
            }),
        };
        var memberRows = new List<RosterRow>
        {
            new(2, new Dictionary<string, object?>
            {
                [MemberOrg] = code, [Name] = "张示例", [SexColumn] = "女", [BirthDate] = "1975-03-08", [IdCard] = ExampleIds[0],
                [Phone] = "16699990001", [Status] = "正式党员", [JoinedOn] = "2001-07-01", [AdmittedOn] = "", [Retired] = "否",
                [Mobile] = "否", [RolesColumn] = "书记", [RolesSince] = "2024-07-01",
            }),
            new(3, new Dictionary<string, object?>
            {
                [MemberOrg] = code, [Name] = "李示例", [SexColumn] = "男", [BirthDate] = "1998-10-12", [IdCard] = ExampleIds[1],
                [Phone] = "16699990002", [Status] = "预备党员", [JoinedOn] = "2025-06-30", [AdmittedOn] = "2025-06-30", [Retired] = "否",
                [Mobile] = "是", [RolesColumn] = "", [RolesSince] = "",
            }),
        };
        return new RosterFile(orgRows, memberRows);
    }

    /// <summary>Valid numbers (GB 11643 check character) of nobody: the template's examples.</summary>
    private static readonly string[] ExampleIds = [WithCheck("11010119750308002"), WithCheck("11010119981012001")];

    private static string WithCheck(string seventeen)
    {
        foreach (var c in "0123456789X")
            if (IdCardNumbers.Normalize(seventeen + c) is { } valid)
                return valid;
        throw new InvalidOperationException("no check character");
    }

    private static int Column(string sheet, string column)
    {
        var columns = sheet == OrgSheet ? OrgColumns : MemberColumns;
        var i = columns.ToList().IndexOf(column);
        return i < 0 ? int.MaxValue : i;
    }
}
