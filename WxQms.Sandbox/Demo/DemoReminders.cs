using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MySqlConnector;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Storage;
using WxQms.Domain.Wechat;
using WxQms.Sandbox.Seeding;

namespace WxQms.Sandbox.Demo;

/// <summary>Who to look at on the phone page after the demo scenario: a role, a name and an official-account openid.</summary>
public sealed record DemoPhone(string Role, string Name, string OrgName, string OpenId);

/// <summary>A demo member without WeChat whose reminders go by SMS: her number's inbox on the phone page.</summary>
public sealed record DemoSmsPhone(string Role, string Name, string OrgName, string Phone);

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): members stand in for having bound their WeChat, and three
/// monthly meetings still open (the first community's first) are placed around the clock so that the reminders show at
/// once — one meeting three days from now (its secretary's T−3 card), one tomorrow (every member's T−1
/// card), and one yesterday without evidence (warned; its community's secretary is told). The plans
/// are written as the branches would have reported them, marked as simulated in the trail.
/// </summary>
public sealed class DemoReminders(MySqlDataSource db, IOptions<WechatOptions> wechat, ITaskCatalogueSource duties, TimeProvider clock,
    ILogger<DemoReminders> log)
{
    /// <summary>Its members are left unbound, so binding through the official account can be tried on the demo.</summary>
    public const string UnboundCommunity = "DFL-C16";

    public const string Community = "DFL-C01";

    /// <summary>Retired members this old never took up WeChat in the demo: WeChat cannot reach them, SMS does (#21).</summary>
    public const int NoWechatAge = 75;

    /// <summary>
    /// Links every member outside <see cref="UnboundCommunity"/> to their sandbox official-account openid (as binding would),
    /// except retirees of <see cref="NoWechatAge"/> or more with a mobile number: they have no WeChat.
    /// </summary>
    public async Task<int> LinkMembersAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var noWechatBorn = Periods.LocalDate(now).AddYears(-NoWechatAge);
        await using var conn = await db.OpenConnectionAsync(ct);
        var members = (await conn.QueryAsync<(long Id, string Code)>(new CommandDefinition("""
            SELECT m.id, m.code FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path NOT LIKE CONCAT((SELECT path FROM orgs WHERE code = @UnboundCommunity), '%')
              AND NOT EXISTS (SELECT 1 FROM wechat_users w WHERE w.member_id = m.id AND w.app_id = @app)
              AND NOT (m.retired AND m.birth_date <= @noWechatBorn AND m.phone IS NOT NULL)
            """, new { UnboundCommunity, app = wechat.Value.Oa.AppId, noWechatBorn }, cancellationToken: ct))).ToList();
        foreach (var chunk in members.Chunk(500))
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO wechat_users (app_id, openid, unionid, member_id, subscribed, created_at, updated_at)
                VALUES (@app, @openid, @unionid, @Id, TRUE, @now, @now)
                ON DUPLICATE KEY UPDATE member_id = COALESCE(member_id, VALUES(member_id))
                """, chunk.Select(m => new
            {
                app = wechat.Value.Oa.AppId, openid = SandboxIdentities.OpenIdOf(m.Code), unionid = SandboxIdentities.UnionIdOf(m.Code),
                m.Id, now = now.UtcDateTime,
            }), cancellationToken: ct));
        return members.Count;
    }

    /// <summary>Places the three meetings around now (once per demo day) and says whose phones show what.</summary>
    public async Task<IReadOnlyList<DemoPhone>> PlanScenarioAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var today = Periods.LocalDate(now);
        var minute = TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);
        var scenario = new[]
        {
            ("organisers", now - minute + TimeSpan.FromDays(3) - TimeSpan.FromMinutes(5)), // T−3 came five minutes ago
            ("members", now - minute + TimeSpan.FromDays(1) - TimeSpan.FromMinutes(5)),    // T−1 came five minutes ago
            ("warning", LocalTime.ToInstant(today.AddDays(-1), new TimeOnly(14, 30))),  // yesterday 14:30, no evidence
        };
        var phones = new List<DemoPhone>();
        await using var conn = await db.OpenConnectionAsync(ct);
        var used = new List<long>();
        foreach (var (what, at) in scenario)
        {
            // A monthly meeting still open in that month: the first community's first, then the others' (not the unbound one).
            var period = Periods.Containing(Recurrence.Monthly, at);
            var task = await conn.QueryFirstOrDefaultAsync<(long Id, long OrgId, string OrgName, long ParentId, string Code, int Version)?>(new CommandDefinition("""
                SELECT t.id, t.org_id, o.name, o.parent_id, t.template_code, t.template_version FROM tasks t JOIN orgs o ON o.id = t.org_id
                WHERE o.kind = 'branch' AND o.code LIKE 'DFL-C%' AND o.code NOT LIKE CONCAT(@UnboundCommunity, '-%')
                  AND t.template_code IN @codes AND t.period_key = @key AND t.state IN ('pending', 'overdue')
                  AND t.party_group_id IS NULL AND t.id NOT IN @used
                ORDER BY o.code LIKE CONCAT(@Community, '-%') DESC, @members AND EXISTS (SELECT 1 FROM members m
                      JOIN orgs g ON g.id = m.org_id AND g.path LIKE CONCAT(o.path, '%') -- the branch or one of its party groups
                      WHERE m.status IN ('full', 'probationary') AND m.retired AND m.birth_date <= @noWechatBorn
                        AND m.phone IS NOT NULL) DESC,
                    o.code, t.template_code DESC
                LIMIT 1
                """, new
            {
                Community, UnboundCommunity, key = period.Key, members = what == "members",
                // The T−1 meeting goes to a branch with a retiree without WeChat, so her SMS shows too.
                noWechatBorn = today.AddYears(-NoWechatAge),
                // Every member is told of a theme party day; a committee meeting's T−1 goes to the committee only.
                codes = what == "members" ? new[] { TaskCodes.ThemePartyDay } : [TaskCodes.ThemePartyDay, TaskCodes.CommitteeMeeting],
                used = used.Append(0).ToArray(),
            }, cancellationToken: ct));
            if (task is not { } t)
            {
                log.LogWarning("Demo reminders: no open monthly meeting of {Period} left for the {What} scenario", period.Key, what);
                continue;
            }
            used.Add(t.Id);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE tasks SET state = 'planned', planned_for = @at, place = '社区党群服务中心', topic = '学习党的二十届四中全会精神',
                    planned_at = @now, next_reminder_at = @now, warned_at = NULL, row_version = row_version + 1, updated_at = @now
                WHERE id = @Id
                """, new { t.Id, at = at.UtcDateTime, now = now.UtcDateTime }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, new AuditEntry(now, "simulate", "task.planned", "task", t.Id, t.OrgId,
                Data: new { simulated = true, PlannedFor = at, scenario = what }), ct);
            await tx.CommitAsync(ct);

            var (role, orgId) = what switch
            {
                "organisers" => ("secretary", t.OrgId),
                "members" => ("member", t.OrgId),
                _ => ("secretary", t.ParentId),
            };
            // Someone the sandbox has following the official account, so the card shows on their phone.
            var people = await conn.QueryAsync<(string Name, string Code, string OrgName)>(new CommandDefinition(role == "member"
                ? """
                  SELECT m.name, m.code, o.name FROM members m JOIN orgs o ON o.id = m.org_id
                  WHERE o.path LIKE CONCAT((SELECT path FROM orgs WHERE id = @orgId), '%') AND m.status IN ('full', 'probationary')
                    AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
                  ORDER BY m.id
                  """
                : """
                  SELECT m.name, m.code, o.name FROM member_roles r JOIN members m ON m.id = r.member_id JOIN orgs o ON o.id = r.org_id
                  WHERE r.org_id = @orgId AND r.role = 'secretary' ORDER BY m.id
                  """, new { orgId }, cancellationToken: ct));
            var meeting = (await duties.GetAsync(ct)).Get(t.Code, t.Version).Name;
            if (people.Where(x => SandboxIdentities.FollowsByDefault(x.Code, isMember: true)).Cast<(string Name, string Code, string OrgName)?>()
                    .FirstOrDefault() is { } p)
                phones.Add(new DemoPhone(what switch
                {
                    "organisers" => $"书记：三天后的{meeting}（T−3 提醒）",
                    "members" => $"党员：明天的{meeting}（T−1 提醒）",
                    _ => $"社区书记：{t.OrgName}昨天的{meeting}未交佐证（预警）",
                }, p.Name, p.OrgName, SandboxIdentities.OpenIdOf(p.Code)));
        }

        // Office staff sign in to the console by scanning its code with this phone's 扫一扫.
        var staff = await conn.QueryAsync<(string Name, string Code, string OrgName)>(new CommandDefinition("""
            SELECT m.name, m.code, o.name FROM member_roles r JOIN members m ON m.id = r.member_id JOIN orgs o ON o.id = r.org_id
            WHERE r.role = 'staff' ORDER BY m.id
            """, cancellationToken: ct));
        if (staff.FirstOrDefault(x => SandboxIdentities.FollowsByDefault(x.Code, isMember: true)) is { Code: not null } s)
            phones.Add(new DemoPhone("街道党建办：电脑上打开管理后台（/admin），用这部手机的「扫一扫」扫码登录", s.Name, s.OrgName,
                SandboxIdentities.OpenIdOf(s.Code)));
        return phones;
    }

    /// <summary>
    /// The retiree without WeChat told of the scenario's T−1 meeting (<see cref="PlanScenarioAsync"/>) by SMS, or null
    /// when that meeting's branch has none.
    /// </summary>
    public async Task<DemoSmsPhone?> SmsPhoneAsync(CancellationToken ct)
    {
        var noWechatBorn = Periods.LocalDate(clock.GetUtcNow()).AddYears(-NoWechatAge);
        await using var conn = await db.OpenConnectionAsync(ct);
        var retiree = await conn.QueryFirstOrDefaultAsync<(string Name, string OrgName, string Phone)?>(new CommandDefinition("""
            SELECT m.name, o.name, m.phone FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE CONCAT((SELECT b.path FROM audit_log a JOIN tasks t ON t.id = a.entity_id JOIN orgs b ON b.id = t.org_id
                                      WHERE a.actor = 'simulate' AND a.action = 'task.planned' AND a.data LIKE '%"scenario":"members"%'
                                      ORDER BY a.id DESC LIMIT 1), '%') -- the branch and its party groups
              AND m.status IN ('full', 'probationary') AND m.retired AND m.birth_date <= @noWechatBorn AND m.phone IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM wechat_users w WHERE w.member_id = m.id AND w.app_id = @app)
            ORDER BY m.id LIMIT 1
            """, new { noWechatBorn, app = wechat.Value.Oa.AppId }, cancellationToken: ct));
        return retiree is { } r ? new DemoSmsPhone("退休党员（没有微信）：明天的主题党日（T−1 短信提醒）", r.Name, r.OrgName, r.Phone) : null;
    }
}
