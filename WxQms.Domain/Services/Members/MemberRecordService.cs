using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Members;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.Reminders;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Members;

/// <summary>A meeting on the record: what, when, and how she stood.</summary>
public sealed record RecordMeetingLine(long TaskId, string Task, DateTimeOffset HeldAt, MeetingPresence Presence, string PresenceLabel);

/// <summary>One ledger entry on the record, with its source in Chinese and the task it was about.</summary>
public sealed record RecordPointsLine(long Id, DateTimeOffset At, decimal Points, string Source, string SourceLabel, string Reason, string? Task);

/// <summary>The year's points of one source.</summary>
public sealed record RecordSourceTotal(string Source, string SourceLabel, decimal Points, int Entries);

/// <summary>A month's stars on the record.</summary>
public sealed record RecordMonthStars(string Period, string PeriodLabel, int Stars, decimal PointsYear, bool Provisional);

/// <summary>
/// A member's record for a year (我的): meetings, dues, every point with its source and reason (their sum is the year's
/// points her stars count), the stars month by month and what would raise them.
/// </summary>
public sealed record MemberYearRecord(long MemberId, string Name, long OrgId, string OrgName, int Year, AttendanceTally Meetings,
    IReadOnlyList<RecordMeetingLine> MeetingList, DuesStatus? Dues, decimal PointsTotal, IReadOnlyList<RecordSourceTotal> BySource,
    IReadOnlyList<RecordPointsLine> Points, int Stars, decimal StarsPoints, AppraisalGrade? Grade, IReadOnlyList<decimal> Thresholds,
    string Advice, IReadOnlyList<RecordMonthStars> Months, SmsStanding Sms);

/// <summary>
/// 我的 (issue #18 item 6): a member's record for a year, read by the member herself and by her branch secretary
/// (<see cref="Checkups.CanRead"/>: the same two people as a check-up). The points listed are exactly the ledger entries
/// the stars sum — the member's entries booked from the year's start to the end of its last assessed month. Cached per
/// member, year and current month (<see cref="RecordCache"/>, retired by any change to what it shows).
/// </summary>
public sealed class MemberRecordService(MemberRecordStore store, MemberStore members, OrgStore orgs, AssessmentService assessment,
    AssessedPeriods periods, ITaskCatalogueSource duties, IDuesStatus dues, IOptions<AssessmentOptions> options, SmsOptOuts sms,
    RecordCache cache)
{
    public async Task<(MemberYearRecord Record, CacheOutcome Cache)> GetAsync(MemberEditor viewer, long memberId, int? year, CancellationToken ct)
    {
        // Her own record needs no look-up first (she may always read it); anyone else's, her branch's to check the reader.
        if (viewer.MemberId != memberId)
        {
            var (_, branch) = await MemberAsync(memberId, ct);
            if (!Checkups.CanRead(viewer.MemberId, viewer.Grants, memberId, branch.Path))
                throw new ForbiddenException("auth.forbidden", "党员档案仅本人和所在支部书记可以查看");
        }
        var current = periods.CurrentMonth();
        var y = year ?? current.Year;
        if (y < periods.FirstYear || y > current.Year)
            throw new RuleViolationException("request.invalid", periods.Describe(y.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return await cache.GetOrLoadAsync(memberId, y, current.Key, c => LoadAsync(memberId, y, current, c), ct);
    }

    private Task<(Member Member, Org Org)> MemberAsync(long memberId, CancellationToken ct) => members.WithBranchAsync(orgs, memberId, ct);

    private async Task<MemberYearRecord> LoadAsync(long memberId, int y, Period current, CancellationToken ct)
    {
        var (member, org) = await MemberAsync(memberId, ct);
        var yearPeriod = Periods.For(RecurrenceKind.Yearly, y, 1);
        var last = y == current.Year ? current : Periods.For(RecurrenceKind.Monthly, y, 12);
        var catalogue = await duties.GetAsync(ct);

        var meetings = (await store.MeetingsAsync(memberId, yearPeriod.StartsAt, last.EndsAt, ct))
            .Select(m => new RecordMeetingLine(m.TaskId, TaskName(catalogue, m.TemplateCode, m.TemplateVersion, m.AdhocTitle), m.HeldAt,
                Records.Presence(m.Presence), Records.PresenceLabel(Records.Presence(m.Presence)))).ToList();
        var points = (await store.PointsAsync(memberId, yearPeriod.StartsAt, last.EndsAt, ct))
            .Select(p => new RecordPointsLine(p.Id, p.At, p.Points, p.Source, Records.SourceLabel(p.Source), p.Reason,
                p.TemplateCode is null ? null : TaskName(catalogue, p.TemplateCode, p.TemplateVersion ?? 1, p.AdhocTitle))).ToList();
        var bySource = points.GroupBy(p => p.Source)
            .Select(g => new RecordSourceTotal(g.Key, Records.SourceLabel(g.Key), g.Sum(p => p.Points), g.Count()))
            .OrderByDescending(s => s.Points).ToList();

        var months = new List<RecordMonthStars>();
        MemberStars? latest = null;
        for (var i = 1; i <= last.Index; i++)
        {
            var month = Periods.For(RecurrenceKind.Monthly, y, i);
            var (stars, provisional) = await assessment.MemberStarsAsync(memberId, month, ct);
            if (stars is null)
                continue;
            latest = stars;
            months.Add(new RecordMonthStars(month.Key, RankingQueries.Label(month), stars.Stars, stars.PointsYear, provisional));
        }
        var thresholds = options.Value.StarThresholds;
        var total = points.Sum(p => p.Points);
        return new MemberYearRecord(member.Id, member.Name, org.Id, org.Name, y, Records.Tally(meetings.Select(m => m.Presence)), meetings,
            await dues.StatusAsync(memberId, ct), total, bySource, points, latest?.Stars ?? Stars.For(total, thresholds),
            latest?.PointsYear ?? total, latest?.Grade, thresholds, StarAdvice.For(latest?.PointsYear ?? total, thresholds, latest?.Grade), months,
            await sms.OfMemberAsync(memberId, ct));
    }

    /// <summary>A task's name: an ad-hoc task's title, else the catalogue's (an unknown code shows as itself).</summary>
    public static string TaskName(TaskCatalogue catalogue, string code, int version, string? adhocTitle)
    {
        if (adhocTitle is not null)
            return adhocTitle;
        try
        {
            return catalogue.Get(code, version).Name;
        }
        catch (KeyNotFoundException)
        {
            return code;
        }
    }
}
