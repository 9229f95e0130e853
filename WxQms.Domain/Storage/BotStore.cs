using System.Buffers.Text;
using System.Security.Cryptography;
using Dapper;
using MySqlConnector;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

public sealed record BindCode(long Id, string Scene, long OrgId, string? Ticket, string? QrUrl, DateTimeOffset ExpiresAt);

/// <summary>The bot's step with one user, its data (JSON) and the wrong answers given in it.</summary>
public sealed record Dialogue(string Step, string Data, int Attempts, DateTimeOffset ExpiresAt);

public static class DialogueSteps
{
    public const string BindAnswer = "bind";
    public const string ChooseTask = "choose";
    public const string ConsoleSignIn = "console";
    public const string ChooseLeave = "leave";
}

/// <summary>A member of a branch whose name a binding answer gave, and whether the phone tail matched too.</summary>
public sealed record BindCandidate(long MemberId, string Name, long OrgId, bool PhoneMatches);

/// <summary>Wrong binding answers since the given instants: the user's, the code's and the most of one named member's.</summary>
public sealed record BindFailureCounts(long User, long Code, long Member);

/// <summary>Binding codes and dialogue state of the official-account bot, in MySQL.</summary>
public sealed class BotStore(MySqlDataSource db)
{
    /// <summary>An opaque scene for a new code: 24 random bytes, base64url (32 characters, under WeChat's 64).</summary>
    public static string NewScene() => "b" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));

    private const string BindCodeColumns =
        "id AS Id, scene AS Scene, org_id AS OrgId, ticket AS Ticket, qr_url AS QrUrl, expires_at AS ExpiresAt";

    private sealed record BindCodeRow(long Id, string Scene, long OrgId, string? Ticket, string? QrUrl, DateTime ExpiresAt)
    {
        public BindCode ToCode() => new(Id, Scene, OrgId, Ticket, QrUrl, Utc(ExpiresAt));
    }

    /// <summary>A live code of the branch with a QR already made, good until at least <paramref name="until"/>.</summary>
    public async Task<BindCode?> ReusableCodeAsync(long orgId, DateTimeOffset until, CancellationToken ct)
    {
        const string sql = $"""
            SELECT {BindCodeColumns} FROM bind_codes
            WHERE org_id = @orgId AND expires_at > @until AND qr_url IS NOT NULL
            ORDER BY expires_at DESC LIMIT 1
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<BindCodeRow>(new CommandDefinition(sql,
            new { orgId, until = until.UtcDateTime }, cancellationToken: ct)))?.ToCode();
    }

    public async Task<BindCode> AddCodeAsync(long orgId, long? createdBy, DateTimeOffset now, DateTimeOffset expiresAt,
        CancellationToken ct)
    {
        const string sql = """
            INSERT INTO bind_codes (scene, org_id, created_by_member_id, created_at, expires_at)
            VALUES (@scene, @orgId, @createdBy, @now, @expiresAt);
            SELECT LAST_INSERT_ID();
            """;
        var scene = NewScene();
        await using var conn = await db.OpenConnectionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql,
            new { scene, orgId, createdBy, now = now.UtcDateTime, expiresAt = expiresAt.UtcDateTime }, cancellationToken: ct));
        return new BindCode(id, scene, orgId, null, null, expiresAt);
    }

    public async Task SetQrAsync(long id, string ticket, string url, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("UPDATE bind_codes SET ticket = @ticket, qr_url = @url WHERE id = @id",
            new { id, ticket, url }, cancellationToken: ct));
    }

    /// <summary>The code behind a scanned scene, expired or not (the caller tells the user which).</summary>
    public async Task<BindCode?> CodeBySceneAsync(string scene, CancellationToken ct)
    {
        // Scenes are ours and ASCII (the column is too): anything else is no code, not a collation error.
        if (scene.Length > 64 || !System.Text.Ascii.IsValid(scene))
            return null;
        const string sql = $"SELECT {BindCodeColumns} FROM bind_codes WHERE scene = @scene";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<BindCodeRow>(new CommandDefinition(sql, new { scene }, cancellationToken: ct)))
            ?.ToCode();
    }

    // ---- dialogues ----------------------------------------------------------------------------

    private sealed record DialogueRow(string Step, string Data, int Attempts, DateTime ExpiresAt);

    /// <summary>The user's dialogue, expired ones included (so the bot can say it timed out).</summary>
    public async Task<Dialogue?> DialogueAsync(string appId, string openId, CancellationToken ct)
    {
        const string sql = """
            SELECT step AS Step, data AS Data, attempts AS Attempts, expires_at AS ExpiresAt
            FROM bot_dialogues WHERE app_id = @appId AND openid = @openId
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<DialogueRow>(new CommandDefinition(sql, new { appId, openId }, cancellationToken: ct));
        return row is null ? null : new Dialogue(row.Step, row.Data, row.Attempts, Utc(row.ExpiresAt));
    }

    public async Task StartDialogueAsync(string appId, string openId, string step, string data, DateTimeOffset now,
        DateTimeOffset expiresAt, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO bot_dialogues (app_id, openid, step, data, attempts, expires_at, updated_at)
            VALUES (@appId, @openId, @step, @data, 0, @expiresAt, @now)
            ON DUPLICATE KEY UPDATE step = VALUES(step), data = VALUES(data), attempts = 0,
                                    expires_at = VALUES(expires_at), updated_at = VALUES(updated_at)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql,
            new { appId, openId, step, data, now = now.UtcDateTime, expiresAt = expiresAt.UtcDateTime }, cancellationToken: ct));
    }

    // ---- wrong answers ------------------------------------------------------------------------

    /// <summary>
    /// Records a wrong answer on a code, with the member of the code's branch whose name it gave (the first of
    /// namesakes: an answer with their name is checked against all of them, so they are locked together).
    /// </summary>
    public async Task RecordFailureAsync(string appId, string openId, long codeId, long? namedMemberId, DateTimeOffset now,
        CancellationToken ct)
    {
        const string sql = """
            INSERT INTO bind_attempts (app_id, openid, code_id, member_id, attempted_at)
            VALUES (@appId, @openId, @codeId, @namedMemberId, @now)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql,
            new { appId, openId, codeId, namedMemberId, now = now.UtcDateTime }, cancellationToken: ct));
    }

    /// <summary>
    /// Wrong answers of this user since <paramref name="userSince"/>, on this code and naming any of
    /// <paramref name="memberIds"/> (namesakes: the most for one of them) since <paramref name="daySince"/>.
    /// </summary>
    public async Task<BindFailureCounts> FailureCountsAsync(string appId, string openId, long codeId, IReadOnlyList<long> memberIds,
        DateTimeOffset userSince, DateTimeOffset daySince, CancellationToken ct)
    {
        const string sql = """
            SELECT
              (SELECT COUNT(*) FROM bind_attempts
               WHERE app_id = @appId AND openid = @openId AND attempted_at > @userSince) AS `User`,
              (SELECT COUNT(*) FROM bind_attempts
               WHERE code_id = @codeId AND attempted_at > @daySince) AS `Code`,
              (SELECT CAST(COALESCE(MAX(n), 0) AS SIGNED) FROM (SELECT COUNT(*) AS n FROM bind_attempts
               WHERE member_id IN @memberIds AND attempted_at > @daySince GROUP BY member_id) AS per_member) AS `Member`
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<BindFailureCounts>(new CommandDefinition(sql, new
        {
            appId, openId, codeId, memberIds, userSince = userSince.UtcDateTime, daySince = daySince.UtcDateTime,
        }, cancellationToken: ct));
    }

    public async Task EndDialogueAsync(string appId, string openId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM bot_dialogues WHERE app_id = @appId AND openid = @openId",
            new { appId, openId }, cancellationToken: ct));
    }

    // ---- identities ---------------------------------------------------------------------------

    /// <summary>The wechat_users row of an official-account openid: its id and linked member, if any.</summary>
    public async Task<(long Id, long? MemberId)?> OaUserAsync(string appId, string openId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<(long, long?)?>(new CommandDefinition(
            "SELECT id, member_id FROM wechat_users WHERE app_id = @appId AND openid = @openId",
            new { appId, openId }, cancellationToken: ct));
    }

    /// <summary>
    /// Members on the roll with this name, and whether the last four phone digits match too: anywhere in the
    /// org's subtree when <paramref name="subtree"/> (a branch and its party groups), else sitting directly in
    /// the org (office staff at the subdistrict, a community committee's own members).
    /// </summary>
    public async Task<IReadOnlyList<BindCandidate>> MatchMembersAsync(long orgId, bool subtree, string name, string phoneTail,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var roster = await MemberStore.RosterAsync(conn, null, orgId, new RosterScope(subtree, OnTheRollOnly: true, Name: name), ct);
        return roster.Select(m => new BindCandidate(m.Id, m.Name, m.OrgId, PhoneTail(m.Phone) == phoneTail)).ToList();
    }

    /// <summary>The last four digits of a phone (SQL's RIGHT(phone, 4)).</summary>
    private static string? PhoneTail(string? phone) => phone is { Length: > 4 } p ? p[^4..] : phone;

    /// <summary>The official-account identity already linked to this member, other than <paramref name="exceptId"/>.</summary>
    public async Task<long?> OtherOaLinkAsync(string appId, long memberId, long exceptId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM wechat_users WHERE app_id = @appId AND member_id = @memberId AND id <> @exceptId LIMIT 1",
            new { appId, memberId, exceptId }, cancellationToken: ct));
    }

    public async Task<string?> OrgNameAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT name FROM orgs WHERE id = @orgId",
            new { orgId }, cancellationToken: ct));
    }
}
