using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using MySqlConnector;
using WxQms.Sandbox.Seeding;

namespace WxQms.Sandbox;

/// <summary>
/// A WeChat user as the sandbox knows them. The ids derive from <see cref="Code"/> (the member code,
/// or R01… for a resident), so they are the same in every run and every process.
/// </summary>
public sealed record SandboxUser(
    string Code,
    long? MemberId,
    string Name,
    string Phone,
    string OpenId,
    string MpOpenId,
    string UnionId,
    bool FollowsByDefault,
    DateTimeOffset SubscribedAt);

/// <summary>All users at one moment, indexed the ways the APIs look them up.</summary>
public sealed class SandboxUserDirectory
{
    public SandboxUserDirectory(IReadOnlyList<SandboxUser> all)
    {
        All = all;
        ByOpenId = all.ToDictionary(u => u.OpenId, StringComparer.Ordinal);
        ByMpOpenId = all.ToDictionary(u => u.MpOpenId, StringComparer.Ordinal);
        ByMemberId = all.Where(u => u.MemberId is not null).ToDictionary(u => u.MemberId!.Value);
    }

    public IReadOnlyList<SandboxUser> All { get; }
    public IReadOnlyDictionary<string, SandboxUser> ByOpenId { get; }
    public IReadOnlyDictionary<string, SandboxUser> ByMpOpenId { get; }
    public IReadOnlyDictionary<long, SandboxUser> ByMemberId { get; }

    /// <summary>An official-account or mini-program openid.</summary>
    public SandboxUser? Find(string? openid) =>
        openid is null ? null : ByOpenId.GetValueOrDefault(openid) ?? ByMpOpenId.GetValueOrDefault(openid);
}

/// <summary>
/// The people behind the sandbox's openids: every row of <c>members</c> plus <see cref="Residents"/>
/// (non-members). The member list is cached and reloaded when asked or when the table's count or
/// highest id changes, so seeding or a test reset shows up on the next call. Whether a user follows
/// the official account and when they last wrote to an app are sandbox state with knobs for tests.
/// </summary>
public sealed class SandboxUsers(TimeProvider clock, MySqlDataSource db, ILogger log)
{
    /// <summary>Where the deterministic subscribe times start (before any demo or test clock).</summary>
    private static readonly DateTimeOffset SubscribedEpoch = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] ResidentNames =
    [
        "刘桂兰", "陈建华", "杨晓燕", "赵志强", "黄秀英", "周文博", "吴丽娟", "徐海涛", "孙玉梅", "胡振宇",
        "朱春燕", "高明轩", "林淑珍", "何俊杰", "郭红霞", "马德胜", "罗佳怡", "梁建军", "宋雪梅", "郑子豪",
    ];

    /// <summary>Twenty residents who use WeChat but are not party members; about half follow the account.</summary>
    public static readonly IReadOnlyList<SandboxUser> Residents = ResidentNames
        .Select((name, i) => Create($"R{i + 1:D2}", null, name, $"1700371{i + 1:D4}"))
        .ToArray();

    private readonly Lock gate = new();
    private readonly SemaphoreSlim loading = new(1, 1);
    private Snapshot current = Snapshot.ResidentsOnly;
    private readonly Dictionary<string, bool> followOverrides = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> subscribedOverrides = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Window> windows = new(StringComparer.Ordinal);

    /// <summary>The directory and the (count, max id) of <c>members</c> it was built from; swapped as one.</summary>
    private sealed record Snapshot(SandboxUserDirectory Directory, (long Count, long MaxId)? Stamp)
    {
        public static readonly Snapshot ResidentsOnly = new(new SandboxUserDirectory(Residents), null);
    }

    private sealed class Window(DateTimeOffset openedAt)
    {
        public DateTimeOffset OpenedAt { get; } = openedAt;
        public int Sent { get; set; }
    }

    /// <summary>How long a user's message lets the app send customer-service messages (PROTOCOL §8.1: 48 h).</summary>
    public TimeSpan CustomerServiceWindow { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How many customer-service messages one user message allows (§8.1: 5); more is 45047.</summary>
    public int CustomMessagesPerInteraction { get; set; } = 5;

    /// <summary>
    /// Users with no recorded interaction count as having just written, so demos can reply to anyone.
    /// Tests turn this off, or record an interaction and let the clock run past the window, to get 45015.
    /// </summary>
    public bool AssumeInteraction { get; set; } = true;

    // ---- ids ----------------------------------------------------------------------------------

    /// <summary>The official-account openid (<see cref="SandboxIdentities"/>).</summary>
    public static string OpenIdOf(string code) => SandboxIdentities.OpenIdOf(code);

    public static string MpOpenIdOf(string code) => SandboxIdentities.MpOpenIdOf(code);

    /// <summary>One unionid for both apps, as with an Open Platform binding.</summary>
    public static string UnionIdOf(string code) => SandboxIdentities.UnionIdOf(code);

    private static SandboxUser Create(string code, long? memberId, string name, string phone)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"follows:{code}"));
        var days = BinaryPrimitives.ReadUInt32LittleEndian(hash.AsSpan(4)) % 600;
        var seconds = BinaryPrimitives.ReadUInt32LittleEndian(hash.AsSpan(8)) % 86_400;
        return new SandboxUser(code, memberId, name, phone, OpenIdOf(code), MpOpenIdOf(code), UnionIdOf(code),
            FollowsByDefault: SandboxIdentities.FollowsByDefault(code, memberId is not null),
            SubscribedAt: SubscribedEpoch.AddDays(days).AddSeconds(seconds));
    }

    // ---- the directory ------------------------------------------------------------------------

    /// <summary>The users as of now: one cheap COUNT query, and a reload only when the members changed.</summary>
    public async Task<SandboxUserDirectory> GetAsync(CancellationToken ct)
    {
        var stamp = await StampAsync(ct);
        if (stamp is null || stamp == current.Stamp)
            return current.Directory;
        await loading.WaitAsync(ct);
        try
        {
            if (stamp != current.Stamp)
                current = new Snapshot(new SandboxUserDirectory([.. await LoadMembersAsync(ct), .. Residents]), stamp);
            return current.Directory;
        }
        finally
        {
            loading.Release();
        }
    }

    /// <summary>Reloads the members now, whatever the count says (e.g. after names changed in place).</summary>
    public async Task<SandboxUserDirectory> RefreshAsync(CancellationToken ct)
    {
        current = current with { Stamp = null };
        return await GetAsync(ct);
    }

    public async Task<SandboxUser?> FindAsync(string? openid, CancellationToken ct) => (await GetAsync(ct)).Find(openid);

    private sealed record MemberRow(long Id, string Code, string Name, string? Phone);

    private async Task<IReadOnlyList<SandboxUser>> LoadMembersAsync(CancellationToken ct)
    {
        const string sql = "SELECT id AS Id, code AS Code, name AS Name, phone AS Phone FROM members ORDER BY id";
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<MemberRow>(new CommandDefinition(sql, cancellationToken: ct));
        // A member without a phone still has one in WeChat; make one up from the id.
        return rows.Select(r => Create(r.Code, r.Id, r.Name, r.Phone ?? $"1700000{r.Id % 10_000:D4}")).ToList();
    }

    private async Task<(long, long)?> StampAsync(CancellationToken ct)
    {
        const string sql = "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM members";
        try
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            return await conn.QuerySingleAsync<(long, long)>(new CommandDefinition(sql, cancellationToken: ct));
        }
        catch (MySqlException ex)
        {
            // The sandbox keeps answering with the users it already knows.
            log.LogWarning("Sandbox users: members not readable ({Message}); keeping {Count} known users",
                ex.Message, current.Directory.All.Count);
            return null;
        }
    }

    // ---- following and interactions -----------------------------------------------------------

    public bool Follows(SandboxUser user)
    {
        lock (gate)
            return followOverrides.GetValueOrDefault(user.OpenId, user.FollowsByDefault);
    }

    public DateTimeOffset SubscribedAt(SandboxUser user)
    {
        lock (gate)
            return subscribedOverrides.GetValueOrDefault(user.OpenId, user.SubscribedAt);
    }

    /// <summary>Makes the user (OA or MP openid) follow the official account or not; a new follow is dated now.</summary>
    public void SetFollows(string openid, bool follows)
    {
        var oaOpenId = current.Directory.Find(openid)?.OpenId ?? openid;
        lock (gate)
        {
            followOverrides[oaOpenId] = follows;
            if (follows)
                subscribedOverrides[oaOpenId] = clock.GetUtcNow();
        }
    }

    /// <summary>The user wrote to the app of this openid: a fresh customer-service window for that app.</summary>
    public void RecordInteraction(string openid)
    {
        lock (gate)
            windows[openid] = new Window(clock.GetUtcNow());
    }

    /// <summary>Spends one customer-service message to the openid, or says why WeChat would refuse it.</summary>
    public SandboxWechat.Error? UseCustomerServiceWindow(string openid)
    {
        lock (gate)
        {
            if (!windows.TryGetValue(openid, out var window))
                return AssumeInteraction ? null : OutOfWindow();
            if (clock.GetUtcNow() - window.OpenedAt > CustomerServiceWindow)
                return OutOfWindow();
            if (window.Sent >= CustomMessagesPerInteraction)
                return SandboxWechat.Fail(45047, "out of response count limit");
            window.Sent++;
            return null;
        }
    }

    private static SandboxWechat.Error OutOfWindow() =>
        SandboxWechat.Fail(45015, "response out of time limit or subscription is canceled");

    public void Reset()
    {
        lock (gate)
        {
            followOverrides.Clear();
            subscribedOverrides.Clear();
            windows.Clear();
            current = Snapshot.ResidentsOnly;
            CustomerServiceWindow = TimeSpan.FromHours(48);
            CustomMessagesPerInteraction = 5;
            AssumeInteraction = true;
        }
    }
}

/// <summary>/sandbox/wechat/users (helpers) and cgi-bin/user/info (WeChat).</summary>
internal static class SandboxUserEndpoints
{
    public static void MapSandboxUsers(this RouteGroupBuilder wx)
    {
        wx.MapGet("/users", ListUsers);
        wx.MapGet("/users/{openid}/inbox", Inbox);
        wx.MapGet("/cgi-bin/user/info", UserInfo);
    }

    /// <summary>
    /// Every user with their ids, all of them unless <paramref name="limit"/> asks for a page; filter by
    /// memberId, name (q) or follows, page with offset/limit (the phone page's picker does).
    /// </summary>
    internal static async Task<IResult> ListUsers(SandboxWechat sandbox, long? memberId, string? q, bool? follows,
        int? offset, int? limit, CancellationToken ct)
    {
        var directory = await sandbox.Users.GetAsync(ct);
        var matches = directory.All
            .Where(u => memberId is null || u.MemberId == memberId)
            .Where(u => string.IsNullOrWhiteSpace(q) || u.Name.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase))
            .Where(u => follows is null || sandbox.Users.Follows(u) == follows)
            .ToList();
        var skip = Math.Max(0, offset ?? 0);
        int? take = limit is { } asked ? Math.Max(1, asked) : null;
        return SandboxHttp.Answer(new
        {
            total = matches.Count,
            offset = skip,
            limit = take,
            users = matches.Skip(skip).Take(take ?? int.MaxValue).Select(u => new
            {
                openid = u.OpenId,
                mpOpenid = u.MpOpenId,
                unionid = u.UnionId,
                memberId = u.MemberId,
                name = u.Name,
                follows = sandbox.Users.Follows(u),
            }),
        });
    }

    internal static Task<IResult> Inbox(string openid, SandboxWechat sandbox, CancellationToken ct) =>
        Messages(openid, sandbox, includeUserMessages: false, after: null, ct);

    /// <summary>What was sent to the user (the inbox) or, with the user's own messages, the whole conversation.</summary>
    internal static async Task<IResult> Messages(string openid, SandboxWechat sandbox, bool includeUserMessages, long? after,
        CancellationToken ct)
    {
        if (await sandbox.Users.FindAsync(openid, ct) is not { } user)
            return SandboxHttp.HelperProblem(StatusCodes.Status404NotFound, $"沙箱中没有 openid 为 {openid} 的用户");
        return SandboxHttp.Answer(new
        {
            openid,
            name = user.Name,
            memberId = user.MemberId,
            follows = sandbox.Users.Follows(user),
            messages = sandbox.Messages.Inbox(user, includeUserMessages).Where(m => m.Seq > (after ?? 0)),
        });
    }

    /// <summary>
    /// cgi-bin/user/info (PROTOCOL §8.2): no errcode on success, nickname and avatar empty since 2021,
    /// and almost nothing for a user who does not follow.
    /// </summary>
    internal static async Task<IResult> UserInfo(HttpRequest request, string? openid, SandboxWechat sandbox,
        CancellationToken ct)
    {
        if (sandbox.Authorize(SandboxHttp.Token(request), "user/info", SandboxApp.Oa) is { } refused)
            return SandboxHttp.Answer(refused);
        if (await sandbox.Users.FindAsync(openid, ct) is not { } user || user.OpenId != openid)
            return SandboxHttp.Answer(SandboxWechat.Fail(40003, "invalid openid"));
        if (!sandbox.Users.Follows(user))
            return SandboxHttp.Answer(new { subscribe = 0, openid = user.OpenId, unionid = user.UnionId });
        return SandboxHttp.Answer(new
        {
            subscribe = 1,
            openid = user.OpenId,
            nickname = "",
            sex = 0,
            language = "zh_CN",
            city = "",
            province = "",
            country = "",
            headimgurl = "",
            subscribe_time = SandboxHttp.Unix(sandbox.Users.SubscribedAt(user)),
            unionid = user.UnionId,
            remark = "",
            groupid = 0,
            tagid_list = Array.Empty<int>(),
            subscribe_scene = "ADD_SCENE_QR_CODE",
            qr_scene = 0,
            qr_scene_str = "",
        });
    }
}
