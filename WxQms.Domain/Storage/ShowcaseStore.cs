using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Showcase;

namespace WxQms.Domain.Storage;

/// <summary>A community as the showcase lists it.</summary>
public sealed record ShowcaseCommunity(long Id, string Name, string Path);

/// <summary>A branch of a community and how many members are on its roll.</summary>
public sealed record ShowcaseBranch(long Id, string Name, long Members);

/// <summary>A closed month of a community: its result (earned ÷ possible) and its rank among the communities.</summary>
public sealed record ShowcaseMonth(string PeriodKey, decimal? Ratio, int? Rank);

/// <summary>A stored panorama scene: the photo by its hash and its size.</summary>
public sealed record StoredScene(long Id, long OrgId, string Name, StoredPhoto Photo, int Width, int Height);

/// <summary>A meeting of the community judged passed, with its photos, members' average rating and score.</summary>
public sealed record ShowcaseMeeting(long EvidenceId, string OrgName, DateTimeOffset HeldAt, string? Topic, decimal? Rating, decimal Score,
    IReadOnlyList<StoredPhoto> Photos);

/// <summary>The showcase's tables (community_profiles, panorama_scenes, panorama_hotspots) and its reads of the others.</summary>
public sealed class ShowcaseStore(MySqlDataSource db)
{
    private sealed record SceneRow(long Id, long OrgId, string Name, string Sha256, long SizeBytes, string ContentType, string StoragePath,
        int Width, int Height);

    private sealed record MeetingRow(long EvidenceId, string OrgName, DateTime HeldAt, string? Topic, decimal? Rating, decimal Score);

    private sealed record PhotoRow(long EvidenceId, string Sha256, long SizeBytes, string ContentType, string StoragePath);

    private const string SceneColumns = """
        id AS Id, org_id AS OrgId, name AS Name, sha256 AS Sha256, size_bytes AS SizeBytes, content_type AS ContentType,
        storage_path AS StoragePath, width AS Width, height AS Height
        """;

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    /// <summary>The communities (the orgs office staff mark so, orgs.is_community), in the tree's order.</summary>
    public async Task<IReadOnlyList<ShowcaseCommunity>> CommunitiesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ShowcaseCommunity>(new CommandDefinition(
            "SELECT id AS Id, name AS Name, path AS Path FROM orgs WHERE is_community AND dissolved_on IS NULL ORDER BY depth, sort_order, id",
            cancellationToken: ct))).ToList();
    }

    /// <summary>Whether the org is a community the showcase shows (marked so, not dissolved).</summary>
    public async Task<bool> IsCommunityAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT COUNT(*) FROM orgs WHERE id = @id AND is_community AND dissolved_on IS NULL", new { id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<long, string>> IntroductionsAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long, string)>(new CommandDefinition(
            "SELECT org_id, introduction FROM community_profiles", cancellationToken: ct))).ToDictionary(r => r.Item1, r => r.Item2);
    }

    public async Task<string?> IntroductionAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT introduction FROM community_profiles WHERE org_id = @orgId", new { orgId }, cancellationToken: ct));
    }

    public static Task SetIntroductionAsync(DbConnection conn, DbTransaction tx, long orgId, string text, long? memberId, DateTimeOffset now,
        CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO community_profiles (org_id, introduction, updated_at, updated_by_member_id) VALUES (@orgId, @text, @now, @memberId)
            ON DUPLICATE KEY UPDATE introduction = VALUES(introduction), updated_at = VALUES(updated_at),
                                    updated_by_member_id = VALUES(updated_by_member_id)
            """, new { orgId, text, now = now.UtcDateTime, memberId }, tx, cancellationToken: ct));

    /// <summary>The names of the community's secretaries (a notice board's line: names only).</summary>
    public async Task<IReadOnlyList<string>> SecretariesAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT m.name FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id = @orgId AND r.role = @role AND m.status IN ('full', 'probationary') ORDER BY m.id
            """, new { orgId, role = Roles.Secretary }, cancellationToken: ct))).ToList();
    }

    /// <summary>The branches of the subtree with the members on each one's roll (its party groups included).</summary>
    public async Task<IReadOnlyList<ShowcaseBranch>> BranchesAsync(string path, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ShowcaseBranch>(new CommandDefinition("""
            SELECT b.id AS Id, b.name AS Name,
                   (SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id
                    WHERE m.status IN ('full', 'probationary') AND o.path LIKE CONCAT(b.path, '%')) AS Members
            FROM orgs b WHERE b.kind = @kind AND b.path LIKE @pattern AND b.dissolved_on IS NULL ORDER BY b.path
            """, new { kind = DbNames.Of(OrgKind.Branch), pattern = OrgPath.SubtreePattern(path) }, cancellationToken: ct))).ToList();
    }

    /// <summary>The community's closed months of a year, from the assessment's snapshots.</summary>
    public async Task<IReadOnlyList<ShowcaseMonth>> MonthsAsync(long orgId, int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ShowcaseMonth>(new CommandDefinition("""
            SELECT period_key AS PeriodKey, ratio AS Ratio, community_rank AS `Rank` FROM assessment_org_results
            WHERE org_id = @orgId AND period_key LIKE @months ORDER BY period_key
            """, new { orgId, months = year.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-__" }, cancellationToken: ct)))
            .ToList();
    }

    /// <summary>How many members of the subtree hold each number of stars in a closed month's snapshot.</summary>
    public async Task<IReadOnlyDictionary<int, long>> StarsAsync(string path, string periodKey, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<(long, long)>(new CommandDefinition("""
            SELECT CAST(r.stars AS SIGNED), COUNT(*) FROM assessment_member_results r JOIN orgs o ON o.id = r.org_id
            WHERE r.period_key = @periodKey AND o.path LIKE @pattern GROUP BY r.stars
            """, new { periodKey, pattern = OrgPath.SubtreePattern(path) }, cancellationToken: ct))).ToDictionary(r => (int)r.Item1, r => r.Item2);
    }

    /// <summary>The community's lit wishes: how many, and the titles of the latest (public on the wish wall too).</summary>
    public async Task<(int Count, IReadOnlyList<string> Latest)> LitWishesAsync(long orgId, int latest, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var count = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM wishes WHERE community_id = @orgId AND status = 'lit'", new { orgId }, cancellationToken: ct));
        var titles = await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT title FROM wishes WHERE community_id = @orgId AND status = 'lit' ORDER BY lit_at DESC, id DESC LIMIT @latest",
            new { orgId, latest }, cancellationToken: ct));
        return (count, titles.ToList());
    }

    /// <summary>
    /// The subtree's best-judged meetings since <paramref name="since"/>: passed with photos, ordered by the members' average
    /// rating, then by the share of the points earned, then the latest; with their photos.
    /// </summary>
    public async Task<IReadOnlyList<ShowcaseMeeting>> BestMeetingsAsync(string path, DateTimeOffset since, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var meetings = (await conn.QueryAsync<MeetingRow>(new CommandDefinition("""
            SELECT e.id AS EvidenceId, o.name AS OrgName, e.held_at AS HeldAt, e.topic AS Topic,
                   (SELECT AVG(f.rating) FROM meeting_feedback f WHERE f.task_id = t.id) AS Rating,
                   CASE WHEN t.possible_points > 0 THEN e.points / t.possible_points ELSE 0 END AS Score
            FROM task_evidence e JOIN tasks t ON t.id = e.task_id JOIN orgs o ON o.id = t.org_id
            WHERE o.path LIKE @pattern AND e.passed AND e.photo_count > 0 AND e.held_at >= @since
            ORDER BY Rating IS NULL, Rating DESC, Score DESC, e.held_at DESC, e.id DESC
            LIMIT @limit
            """, new { pattern = OrgPath.SubtreePattern(path), since = since.UtcDateTime, limit }, cancellationToken: ct))).ToList();
        if (meetings.Count == 0)
            return [];
        var photos = (await conn.QueryAsync<PhotoRow>(new CommandDefinition("""
            SELECT evidence_id AS EvidenceId, sha256 AS Sha256, size_bytes AS SizeBytes, content_type AS ContentType, storage_path AS StoragePath
            FROM evidence_photos WHERE evidence_id IN @ids ORDER BY id
            """, new { ids = meetings.Select(m => m.EvidenceId).ToArray() }, cancellationToken: ct))).ToLookup(p => p.EvidenceId);
        return meetings.Select(m => new ShowcaseMeeting(m.EvidenceId, m.OrgName, new DateTimeOffset(m.HeldAt, TimeSpan.Zero), m.Topic,
            m.Rating is { } r ? Math.Round(r, 1) : null, m.Score,
            photos[m.EvidenceId].Select(p => new StoredPhoto(p.Sha256, p.SizeBytes, p.ContentType, p.StoragePath)).ToList())).ToList();
    }

    /// <summary>The last closed month and the communities ranked first in it (ties share the first place); null before any close.</summary>
    public async Task<(string PeriodKey, IReadOnlyList<(long OrgId, decimal? Ratio)> Top)?> LastMonthTopAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var key = await conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT period_key FROM assessment_closes ORDER BY period_ends_at DESC LIMIT 1", cancellationToken: ct));
        if (key is null)
            return null;
        var top = await conn.QueryAsync<(long, decimal?)>(new CommandDefinition(
            "SELECT org_id, ratio FROM assessment_org_results WHERE period_key = @key AND community_rank = 1 ORDER BY path",
            new { key }, cancellationToken: ct));
        return (key, top.ToList());
    }

    public async Task<IReadOnlyList<StoredScene>> ScenesAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<SceneRow>(new CommandDefinition(
            $"SELECT {SceneColumns} FROM panorama_scenes WHERE org_id = @orgId ORDER BY id", new { orgId }, cancellationToken: ct));
        return rows.Select(ToScene).ToList();
    }

    public async Task<StoredScene?> SceneAsync(long orgId, long sceneId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<SceneRow>(new CommandDefinition(
            $"SELECT {SceneColumns} FROM panorama_scenes WHERE org_id = @orgId AND id = @sceneId", new { orgId, sceneId }, cancellationToken: ct));
        return row is null ? null : ToScene(row);
    }

    public async Task<IReadOnlyList<Hotspot>> HotspotsAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Hotspot>(new CommandDefinition("""
            SELECT h.id AS Id, h.scene_id AS SceneId, h.target_scene_id AS TargetSceneId, h.pitch AS Pitch, h.yaw AS Yaw, h.label AS Label
            FROM panorama_hotspots h JOIN panorama_scenes s ON s.id = h.scene_id WHERE s.org_id = @orgId ORDER BY h.id
            """, new { orgId }, cancellationToken: ct))).ToList();
    }

    /// <summary>A scene's name is taken in its community: false, nothing inserted.</summary>
    public static async Task<long?> InsertSceneAsync(DbConnection conn, DbTransaction tx, long orgId, string name, StoredPhoto photo, int width,
        int height, DateTimeOffset now, CancellationToken ct)
    {
        var taken = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM panorama_scenes WHERE org_id = @orgId AND name = @name FOR UPDATE)", new { orgId, name }, tx,
            cancellationToken: ct));
        if (taken)
            return null;
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO panorama_scenes (org_id, name, sha256, size_bytes, content_type, storage_path, width, height, created_at)
            VALUES (@orgId, @name, @Sha256, @Size, @ContentType, @RelativePath, @width, @height, @now);
            SELECT LAST_INSERT_ID();
            """, new { orgId, name, photo.Sha256, photo.Size, photo.ContentType, photo.RelativePath, width, height, now = now.UtcDateTime },
            tx, cancellationToken: ct));
    }

    /// <summary>Deletes a scene of the community with the hotspots in it and those leading to it; false when there is none.</summary>
    public static async Task<bool> DeleteSceneAsync(DbConnection conn, DbTransaction tx, long orgId, long sceneId, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE h FROM panorama_hotspots h JOIN panorama_scenes s ON s.id = h.scene_id
            WHERE s.org_id = @orgId AND (h.scene_id = @sceneId OR h.target_scene_id = @sceneId)
            """, new { orgId, sceneId }, tx, cancellationToken: ct));
        return await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM panorama_scenes WHERE org_id = @orgId AND id = @sceneId", new { orgId, sceneId }, tx, cancellationToken: ct)) == 1;
    }

    /// <summary>Adds a hotspot; null unless both scenes are the community's.</summary>
    public static async Task<long?> InsertHotspotAsync(DbConnection conn, DbTransaction tx, long orgId, Hotspot h, DateTimeOffset now,
        CancellationToken ct)
    {
        var both = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM panorama_scenes WHERE org_id = @orgId AND id IN (@SceneId, @TargetSceneId) FOR UPDATE",
            new { orgId, h.SceneId, h.TargetSceneId }, tx, cancellationToken: ct));
        if (both != (h.SceneId == h.TargetSceneId ? 1 : 2))
            return null;
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO panorama_hotspots (scene_id, target_scene_id, pitch, yaw, label, created_at)
            VALUES (@SceneId, @TargetSceneId, @Pitch, @Yaw, @Label, @now);
            SELECT LAST_INSERT_ID();
            """, new { h.SceneId, h.TargetSceneId, h.Pitch, h.Yaw, h.Label, now = now.UtcDateTime }, tx, cancellationToken: ct));
    }

    public static async Task<bool> DeleteHotspotAsync(DbConnection conn, DbTransaction tx, long orgId, long hotspotId, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            DELETE h FROM panorama_hotspots h JOIN panorama_scenes s ON s.id = h.scene_id WHERE h.id = @hotspotId AND s.org_id = @orgId
            """, new { orgId, hotspotId }, tx, cancellationToken: ct)) == 1;

    private static StoredScene ToScene(SceneRow r) =>
        new(r.Id, r.OrgId, r.Name, new StoredPhoto(r.Sha256, r.SizeBytes, r.ContentType, r.StoragePath), r.Width, r.Height);
}
