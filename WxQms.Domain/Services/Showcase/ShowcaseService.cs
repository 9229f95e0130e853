using Microsoft.Extensions.Options;
using WxQms.Domain.Caching;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Assessment;
using WxQms.Domain.Rules.Showcase;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services.Assessment;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Showcase;

/// <summary>A community on the index: its introduction's first lines, and whether it was the last closed month's 最in社区.</summary>
public sealed record CommunityCard(long Id, string Name, string? Introduction, bool Featured, decimal? FeaturedRatio);

/// <summary>The index: every community, the 最in社区 of <see cref="FeaturedMonth"/> (null before any month closed) first.</summary>
public sealed record ShowcaseIndex(string? FeaturedMonth, IReadOnlyList<CommunityCard> Communities);

/// <summary>A community's year: its result and rank so far this year, and each closed month's.</summary>
public sealed record CommunityYear(int Year, decimal? Ratio, int? Rank, int Ranked, IReadOnlyList<ShowcaseMonth> Months);

/// <summary>A community's page: what a notice board shows (names, counts, results, photos), never a phone.</summary>
public sealed record CommunityPage(long Id, string Name, string? Introduction, IReadOnlyList<string> Secretaries,
    IReadOnlyList<ShowcaseBranch> Branches, CommunityYear Year, string? StarsMonth, IReadOnlyDictionary<int, long> Stars, int WishesLit,
    IReadOnlyList<string> LatestWishes, IReadOnlyList<ShowcaseMeeting> Meetings, IReadOnlyList<StoredScene> Scenes,
    IReadOnlyList<Hotspot> Hotspots);

/// <summary>
/// The community showcase (最in社区, issue #20 item 3): public pages per community built from what exists (the org tree,
/// roles, the assessment's snapshots and rankings, wishes, judged meetings) and what the office keeps for it: the
/// introduction and the 3D panoramas (scenes and the hotspots linking them). Only office staff change it; every change is
/// one audit entry in its transaction.
/// </summary>
public sealed class ShowcaseService(ShowcaseStore store, OrgStore orgs, PhotoIntake photos, RankingCache rankings, RankingQueries queries,
    AssessedPeriods periods, IOptions<ShowcaseOptions> options, TimeProvider clock)
{
    public const int IntroductionLength = 2000;
    public const int MeetingsShown = 3;
    public const int WishesShown = 5;

    public async Task<ShowcaseIndex> IndexAsync(CancellationToken ct)
    {
        var communities = await store.CommunitiesAsync(ct);
        var intros = await store.IntroductionsAsync(ct);
        var top = await store.LastMonthTopAsync(ct);
        var featured = top?.Top.ToDictionary(t => t.OrgId, t => t.Ratio) ?? [];
        var cards = communities
            .Select(c => new CommunityCard(c.Id, c.Name, intros.GetValueOrDefault(c.Id), featured.ContainsKey(c.Id), featured.GetValueOrDefault(c.Id)))
            .OrderByDescending(c => c.Featured).ToList();
        return new ShowcaseIndex(top is { } t && t.Top.Count > 0 ? t.PeriodKey : null, cards);
    }

    /// <summary>A community's page; <see cref="NotFoundException"/> for anything that is not a community.</summary>
    public async Task<CommunityPage> PageAsync(long communityId, CancellationToken ct)
    {
        var org = await CommunityAsync(communityId, ct);
        var current = periods.CurrentMonth();
        var months = await store.MonthsAsync(org.Id, current.Year, ct);
        var year = await YearAsync(org, current.Year, months, ct);
        var starsMonth = months.Count > 0 ? months[^1].PeriodKey : null;
        var stars = starsMonth is null ? new Dictionary<int, long>() : await store.StarsAsync(org.Path, starsMonth, ct);
        var (lit, latest) = await store.LitWishesAsync(org.Id, WishesShown, ct);
        var yearStart = Periods.For(RecurrenceKind.Yearly, current.Year, 1).StartsAt;
        return new CommunityPage(org.Id, org.Name, await store.IntroductionAsync(org.Id, ct), await store.SecretariesAsync(org.Id, ct),
            await store.BranchesAsync(org.Path, ct), year, starsMonth, stars, lit, latest,
            await store.BestMeetingsAsync(org.Path, yearStart, MeetingsShown, ct), await store.ScenesAsync(org.Id, ct),
            await store.HotspotsAsync(org.Id, ct));
    }

    /// <summary>A meeting photo the community's page shows (only those: a photo of any other meeting is not found).</summary>
    public async Task<StoredPhoto?> MeetingPhotoAsync(long communityId, string sha256, CancellationToken ct)
    {
        var org = await CommunityAsync(communityId, ct);
        var yearStart = Periods.For(RecurrenceKind.Yearly, periods.CurrentMonth().Year, 1).StartsAt;
        var meetings = await store.BestMeetingsAsync(org.Path, yearStart, MeetingsShown, ct);
        return meetings.SelectMany(m => m.Photos).FirstOrDefault(p => p.Sha256 == sha256);
    }

    public Task<StoredScene?> SceneAsync(long communityId, long sceneId, CancellationToken ct) => store.SceneAsync(communityId, sceneId, ct);

    public Task<IReadOnlyList<ShowcaseCommunity>> CommunitiesAsync(CancellationToken ct) => store.CommunitiesAsync(ct);

    // The office's edits (console, office staff only).

    public async Task SetIntroductionAsync(MemberEditor editor, long communityId, string? text, CancellationToken ct)
    {
        EnsureStaff(editor);
        var org = await CommunityAsync(communityId, ct);
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length > IntroductionLength)
            throw new RuleViolationException("showcase.introduction_too_long", $"社区简介不超过{IntroductionLength}字");
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            await ShowcaseStore.SetIntroductionAsync(conn, tx, org.Id, trimmed, editor.MemberId, now, ct);
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "showcase.introduction_set", "org", org.Id, org.Id,
                editor.MemberId, new { length = trimmed.Length }), ct);
            return 0;
        }, ct);
    }

    /// <summary>
    /// Receives a panorama: at most <see cref="ShowcaseOptions.PanoramaMaxBytes"/> (refused as soon as it passes them), a JPEG,
    /// PNG or WebP by its content, 2:1 and not wider than <see cref="ShowcaseOptions.PanoramaMaxWidth"/> by its header. Nothing is
    /// stored yet; the caller disposes it.
    /// </summary>
    public async Task<IncomingPhoto> ReceivePanoramaAsync(Stream upload, string fileName, CancellationToken ct)
    {
        var o = options.Value;
        var photo = await photos.ReceiveAsync(upload, fileName, o.PanoramaMaxBytes, ct);
        if (Panoramas.CheckSize(photo.Width, photo.Height, o.PanoramaMaxWidth) is { } badSize)
        {
            await photo.DisposeAsync();
            throw new RuleViolationException("showcase.not_panorama", badSize);
        }
        return photo;
    }

    /// <summary>Adds a received panorama as a scene of the community, under a name not taken there.</summary>
    public async Task<long> AddSceneAsync(MemberEditor editor, long communityId, string? name, IncomingPhoto? photo, CancellationToken ct)
    {
        EnsureStaff(editor);
        var org = await CommunityAsync(communityId, ct);
        if (Panoramas.CheckName(name) is { } badName)
            throw new RuleViolationException("showcase.scene_name", badName);
        if (photo is null)
            throw new RuleViolationException("showcase.no_photo", "请选择一张全景照片");
        var stored = await photos.StoreAsync(photo, ct);
        var now = clock.GetUtcNow();
        var sceneName = name!.Trim();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var id = await ShowcaseStore.InsertSceneAsync(conn, tx, org.Id, sceneName, stored, photo.Width, photo.Height, now, ct)
                ?? throw new ConflictException("showcase.scene_exists", $"本社区已有名为“{sceneName}”的场景");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "showcase.scene_added", "panorama_scene", id, org.Id,
                editor.MemberId, new { name = sceneName, stored.Sha256, stored.Size, photo.Width, photo.Height }), ct);
            return id;
        }, ct);
    }

    public async Task RemoveSceneAsync(MemberEditor editor, long communityId, long sceneId, CancellationToken ct)
    {
        EnsureStaff(editor);
        var org = await CommunityAsync(communityId, ct);
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await ShowcaseStore.DeleteSceneAsync(conn, tx, org.Id, sceneId, ct))
                throw new NotFoundException($"场景 {sceneId} 不存在", "showcase.scene_not_found");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "showcase.scene_removed", "panorama_scene", sceneId, org.Id,
                editor.MemberId), ct);
            return 0;
        }, ct);
    }

    public async Task<long> AddHotspotAsync(MemberEditor editor, long communityId, long sceneId, long targetSceneId, decimal pitch, decimal yaw,
        string? label, CancellationToken ct)
    {
        EnsureStaff(editor);
        var org = await CommunityAsync(communityId, ct);
        if (Panoramas.CheckHotspot(sceneId, targetSceneId, pitch, yaw, label) is { } bad)
            throw new RuleViolationException("showcase.hotspot_invalid", bad);
        var hotspot = new Hotspot(0, sceneId, targetSceneId, Math.Round(pitch, 2), Math.Round(yaw, 2), label!.Trim());
        var now = clock.GetUtcNow();
        return await store.InTransactionAsync(async (conn, tx) =>
        {
            var id = await ShowcaseStore.InsertHotspotAsync(conn, tx, org.Id, hotspot, now, ct)
                ?? throw new RuleViolationException("showcase.hotspot_invalid", "热点的场景和目标场景都应是本社区的场景");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "showcase.hotspot_added", "panorama_hotspot", id, org.Id,
                editor.MemberId, new { sceneId, targetSceneId, hotspot.Pitch, hotspot.Yaw, hotspot.Label }), ct);
            return id;
        }, ct);
    }

    public async Task RemoveHotspotAsync(MemberEditor editor, long communityId, long hotspotId, CancellationToken ct)
    {
        EnsureStaff(editor);
        var org = await CommunityAsync(communityId, ct);
        var now = clock.GetUtcNow();
        await store.InTransactionAsync(async (conn, tx) =>
        {
            if (!await ShowcaseStore.DeleteHotspotAsync(conn, tx, org.Id, hotspotId, ct))
                throw new NotFoundException($"热点 {hotspotId} 不存在", "showcase.hotspot_not_found");
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, editor.Actor, "showcase.hotspot_removed", "panorama_hotspot", hotspotId,
                org.Id, editor.MemberId), ct);
            return 0;
        }, ct);
    }

    public static bool IsStaff(IReadOnlyList<Grant> grants) => grants.Any(g => g.Role == Roles.Staff);

    private static void EnsureStaff(MemberEditor editor)
    {
        if (!IsStaff(editor.Grants))
            throw new ForbiddenException("auth.forbidden", "社区展示由街道党建办维护");
    }

    private async Task<Org> CommunityAsync(long id, CancellationToken ct)
    {
        var org = await orgs.GetAsync(id, ct);
        return org is not null && await store.IsCommunityAsync(id, ct) ? org : throw new NotFoundException($"社区 {id} 不存在", "showcase.not_found");
    }

    /// <summary>The year so far from the communities' ranking of the year (cached as every ranking is).</summary>
    private async Task<CommunityYear> YearAsync(Org org, int year, IReadOnlyList<ShowcaseMonth> months, CancellationToken ct)
    {
        var period = Periods.For(RecurrenceKind.Yearly, year, 1);
        if (org.ParentId is not { } root || !periods.Exists(period))
            return new CommunityYear(year, null, null, 0, months);
        var (ranking, _) = await rankings.GetOrLoadAsync(period.Key, root, RankingLevel.Community,
            c => queries.BuildAsync(period, root, RankingLevel.Community, c), ct);
        var row = ranking?.View.Rows.FirstOrDefault(r => r.OrgId == org.Id);
        return new CommunityYear(year, row?.Ratio, row?.Rank, ranking?.View.Rows.Count(r => r.Rank is not null) ?? 0, months);
    }
}
