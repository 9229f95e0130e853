using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Assessment;

/// <summary>A member in a branch's star list.</summary>
public sealed record StarMember(long MemberId, string Name, long OrgId, string OrgName, int Stars, decimal PointsYear, AppraisalGrade? Grade);

/// <summary>The stars of the members of an org's subtree for a year, as of its last assessed month.</summary>
public sealed record OrgStars(long OrgId, string OrgName, int Year, string Period, string PeriodLabel, bool Provisional,
    IReadOnlyList<StarMember> Members);

/// <summary>
/// The 星级党员 of a branch (or of any subtree, for the office's export) for a year (issue #18 item 7): every member on the
/// roll with her stars as of the year's last assessed month (December, or this month), most stars first.
/// </summary>
public sealed class BranchStars(AssessmentService assessment, AssessedPeriods periods, OrgStore orgs)
{
    public async Task<OrgStars> GetAsync(IReadOnlyList<Grant> grants, long orgId, int? year, CancellationToken ct)
    {
        var subtree = await orgs.GetSubtreeAsync(orgId, ct) ?? throw new NotFoundException($"组织 {orgId} 不存在", "org.not_found");
        var org = subtree.Orgs.First(o => o.Id == orgId);
        if (!Access.CanRead(grants, org.Path))
            throw new ForbiddenException("auth.forbidden", "您无权查看该组织的星级党员");
        var current = periods.CurrentMonth();
        var y = year ?? current.Year;
        if (y < periods.FirstYear || y > current.Year)
            throw new RuleViolationException("request.invalid", periods.Describe(y.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var month = y == current.Year ? current : Periods.For(RecurrenceKind.Monthly, y, 12);
        var names = subtree.Orgs.ToDictionary(o => o.Id, o => o.Name);
        var (stars, provisional) = await assessment.MembersStarsAsync(month, ct);
        var list = stars.Where(s => names.ContainsKey(s.OrgId))
            .Select(s => new StarMember(s.MemberId, s.Name, s.OrgId, names[s.OrgId], s.Stars, s.PointsYear, s.Grade))
            .OrderByDescending(s => s.Stars).ThenByDescending(s => s.PointsYear).ThenBy(s => s.MemberId).ToList();
        return new OrgStars(org.Id, org.Name, y, month.Key, RankingQueries.Label(month), provisional, list);
    }
}
