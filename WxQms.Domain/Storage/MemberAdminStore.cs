using System.Data.Common;
using System.Text;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;

namespace WxQms.Domain.Storage;

/// <summary>A member's record as the console keeps it; the ID-card number as stored (encrypted).</summary>
public sealed record MemberRecord(long Id, long OrgId, string OrgName, string OrgPath, OrgKind OrgKind, string Name, Sex Sex,
    DateOnly? BirthDate, DateOnly? JoinedOn, MemberStatus Status, string? Phone, byte[]? IdCardEnc, bool Retired, bool Mobile,
    DateOnly? DeceasedOn);

/// <summary>What an edit removes on purpose (a blank field otherwise keeps what is stored).</summary>
public sealed record MemberClears(bool Phone, bool IdCard);

/// <summary>
/// What a member form writes. <see cref="Phone"/> and the ID-card fields null: left as they are (an edit), none (an add).
/// </summary>
public sealed record MemberRecordInput(long OrgId, string Name, Sex Sex, DateOnly? BirthDate, DateOnly? JoinedOn, MemberStatus Status,
    string? Phone, byte[]? IdCardEnc, string? IdCardLast4, byte[]? IdCardLookup, bool Retired, bool Mobile);

/// <summary>A page of the console's roster: which members, searched how, sorted by what.</summary>
public sealed record MemberListQuery(IReadOnlyList<string> Tops, string? WithinPath, string? Search, string? Sort, bool Descending,
    int Offset, int Limit);

/// <summary>
/// The console's reads and writes of members and their roles (issue #16 item 4): the roster with search, paging and
/// sorting; adding and editing a record (a phone or ID-card number already on another member is refused by the unique
/// keys); moves with their history; a death; roles appointed from a date and ended into <c>member_role_history</c>.
/// Each write runs in one transaction with its audit entry and, where a member's roles or org change, her token
/// version.
/// </summary>
public sealed class MemberAdminStore(MySqlDataSource db)
{
    private const string RecordColumns = """
        m.id AS Id, m.org_id AS OrgId, o.name AS OrgName, o.path AS OrgPath, o.kind AS OrgKind, m.name AS Name, m.sex AS Sex,
        m.birth_date AS BirthDate, m.joined_on AS JoinedOn, m.status AS Status, m.phone AS Phone, m.id_card_enc AS IdCardEnc,
        m.retired AS Retired, m.mobile AS Mobile, m.deceased_on AS DeceasedOn
        """;

    private sealed record Row(long Id, long OrgId, string OrgName, string OrgPath, string OrgKind, string Name, string Sex,
        DateTime? BirthDate, DateTime? JoinedOn, string Status, string? Phone, byte[]? IdCardEnc, bool Retired, bool Mobile, DateTime? DeceasedOn)
    {
        public MemberRecord ToRecord() => new(Id, OrgId, OrgName, OrgPath, DbNames.Parse<OrgKind>(OrgKind), Name, DbNames.Parse<Sex>(Sex),
            Day(BirthDate), Day(JoinedOn), DbNames.Parse<MemberStatus>(Status), Phone, IdCardEnc, Retired, Mobile, Day(DeceasedOn));
    }

    private static DateOnly? Day(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;

    private static DateTime? Db(DateOnly? d) => d?.ToDateTime(TimeOnly.MinValue);

    /// <summary>A page of the members sitting in the <see cref="MemberListQuery.Tops"/> subtrees, and how many match in all.</summary>
    public async Task<(IReadOnlyList<MemberRecord> Members, long Total)> ListAsync(MemberListQuery q, CancellationToken ct)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        var args = new DynamicParameters();
        if (!q.Tops.Contains(OrgPath.Root))
        {
            if (q.Tops.Count == 0)
                return ([], 0);
            where.Append(" AND (");
            for (var i = 0; i < q.Tops.Count; i++)
            {
                where.Append(i == 0 ? "" : " OR ").Append($"o.path LIKE @top{i}");
                args.Add($"top{i}", OrgPath.SubtreePattern(q.Tops[i]));
            }
            where.Append(')');
        }
        if (q.WithinPath is { } within)
        {
            where.Append(" AND o.path LIKE @within");
            args.Add("within", OrgPath.SubtreePattern(within));
        }
        if (q.Search is { Length: > 0 } search)
        {
            where.Append(" AND (m.name LIKE @like OR m.phone = @search OR m.id_card_last4 = @last4)");
            args.Add("like", "%" + search.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
            // phone and id_card_last4 are ASCII columns: only an ASCII search is compared with them (no collation mix).
            var ascii = search.All(c => c is >= '0' and <= '9' or 'x' or 'X');
            args.Add("search", ascii ? search : null);
            args.Add("last4", ascii && search.Length == 4 ? search.ToUpperInvariant() : null);
        }
        var order = q.Sort switch
        {
            "name" => "CONVERT(m.name USING gbk)",
            "org" => "o.path",
            "joined" => "m.joined_on",
            "status" => "m.status",
            _ => null,
        };
        var dir = q.Descending ? "DESC" : "ASC";
        var orderBy = order is null ? "o.path, m.id" : $"{order} {dir}, m.id {dir}";
        args.Add("offset", q.Offset);
        args.Add("limit", q.Limit);
        var sql = $"""
            SELECT COUNT(*) FROM members m JOIN orgs o ON o.id = m.org_id {where};
            SELECT {RecordColumns} FROM members m JOIN orgs o ON o.id = m.org_id {where}
            ORDER BY {orderBy} LIMIT @limit OFFSET @offset;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        var total = await grid.ReadSingleAsync<long>();
        var rows = (await grid.ReadAsync<Row>()).Select(r => r.ToRecord()).ToList();
        return (rows, total);
    }

    public async Task<MemberRecord?> GetAsync(long id, CancellationToken ct)
    {
        const string sql = $"SELECT {RecordColumns} FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = @id";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(sql, new { id }, cancellationToken: ct)))?.ToRecord();
    }

    private sealed record OrgRow(long Id, long? ParentId, string Path, int Depth, string Kind, string Name, string Code, int SortOrder);

    /// <summary>The orgs of the given subtrees, in tree order, for the console's org choices.</summary>
    public async Task<IReadOnlyList<Org>> OrgsAsync(IReadOnlyList<string> tops, CancellationToken ct)
    {
        if (tops.Count == 0)
            return [];
        const string sql = """
            SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code,
                   sort_order AS SortOrder
            FROM orgs WHERE path LIKE @pattern ORDER BY path
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var orgs = new List<Org>();
        foreach (var top in tops)
        {
            var rows = await conn.QueryAsync<OrgRow>(new CommandDefinition(sql, new { pattern = OrgPath.SubtreePattern(top) }, cancellationToken: ct));
            orgs.AddRange(rows.Select(r => new Org(r.Id, r.ParentId, r.Path, r.Depth, DbNames.Parse<OrgKind>(r.Kind), r.Name, r.Code, r.SortOrder)));
        }
        return orgs;
    }

    /// <summary>Adds a member with the plain member role and the audit entry; her id.</summary>
    public Task<long> AddAsync(MemberRecordInput m, string code, DateTimeOffset now, Func<long, AuditEntry> audit, CancellationToken ct) =>
        Unique(() => db.InTransactionAsync(async (conn, tx) =>
        {
            var id = await InsertAsync(conn, tx, m, code, now, ct);
            await AuditLog.AppendAsync(conn, tx, audit(id), ct);
            return id;
        }, ct));

    /// <summary>Inserts a member with the plain member role in the caller's transaction (an add, a transfer into the subdistrict); her id.</summary>
    internal static async Task<long> InsertAsync(DbConnection conn, DbTransaction tx, MemberRecordInput m, string code, DateTimeOffset now,
        CancellationToken ct)
    {
            const string sql = """
                INSERT INTO members (org_id, name, sex, birth_date, joined_on, status, phone, id_card_enc, id_card_last4,
                                     id_card_lookup, retired, mobile, code, created_at, updated_at)
                VALUES (@OrgId, @Name, @Sex, @BirthDate, @JoinedOn, @Status, @Phone, @IdCardEnc, @IdCardLast4,
                        @IdCardLookup, @Retired, @Mobile, @code, @now, @now);
                SELECT LAST_INSERT_ID();
                """;
            var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
            {
                m.OrgId, m.Name, Sex = DbNames.Of(m.Sex), BirthDate = Db(m.BirthDate), JoinedOn = Db(m.JoinedOn),
                Status = DbNames.Of(m.Status), m.Phone, m.IdCardEnc, m.IdCardLast4, m.IdCardLookup, m.Retired, m.Mobile, code,
                now = now.UtcDateTime,
            }, tx, cancellationToken: ct));
            await MemberStore.InsertRolesAsync(conn, tx, [new MemberRole(id, Roles.Member, m.OrgId)], now, ct);
            return id;
    }

    /// <summary>Edits a member's record (not her org or status); a null phone or ID card stays as it is.</summary>
    public Task EditAsync(long id, MemberRecordInput m, MemberClears clears, AuditEntry audit, CancellationToken ct) =>
        Unique(() => db.InTransactionAsync(async (conn, tx) =>
        {
            const string sql = """
                UPDATE members SET name = @Name, sex = @Sex, birth_date = @BirthDate, joined_on = @JoinedOn,
                    phone = CASE WHEN @clearPhone THEN NULL ELSE COALESCE(@Phone, phone) END,
                    id_card_enc = CASE WHEN @clearIdCard THEN NULL ELSE COALESCE(@IdCardEnc, id_card_enc) END,
                    id_card_last4 = CASE WHEN @clearIdCard THEN NULL ELSE COALESCE(@IdCardLast4, id_card_last4) END,
                    id_card_lookup = CASE WHEN @clearIdCard THEN NULL ELSE COALESCE(@IdCardLookup, id_card_lookup) END,
                    retired = @Retired, mobile = @Mobile, updated_at = @now
                WHERE id = @id
                """;
            await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                id, m.Name, Sex = DbNames.Of(m.Sex), BirthDate = Db(m.BirthDate), JoinedOn = Db(m.JoinedOn), m.Phone,
                m.IdCardEnc, m.IdCardLast4, m.IdCardLookup, m.Retired, m.Mobile, now = audit.OccurredAt.UtcDateTime,
                clearPhone = clears.Phone, clearIdCard = clears.IdCard,
            }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, audit, ct);
            return 0;
        }, ct));

    /// <summary>
    /// Moves a member to another org with a row in <c>member_moves</c>: her roles (other than the plain member role) at
    /// orgs under <paramref name="endRolesUnder"/> end on the day of the move; the plain member role follows her.
    /// </summary>
    public Task MoveAsync(long id, long fromOrgId, long toOrgId, string? endRolesUnder, DateOnly movedOn, string? reason,
        AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            await MoveAsync(conn, tx, id, fromOrgId, toOrgId, endRolesUnder, movedOn, reason, audit.Actor, audit.OccurredAt, ct);
            await AuditLog.AppendAsync(conn, tx, audit, ct);
            return 0;
        }, ct);

    /// <summary>The move itself in the caller's transaction (the console's move, a transfer within the subdistrict accepted).</summary>
    internal static async Task MoveAsync(DbConnection conn, DbTransaction tx, long id, long fromOrgId, long toOrgId, string? endRolesUnder,
        DateOnly movedOn, string? reason, string actor, DateTimeOffset now, CancellationToken ct)
    {
            if (endRolesUnder is not null)
                await EndRolesAsync(conn, tx, id, endRolesUnder, movedOn, now, ct);
            await MemberStore.MoveAsync(conn, tx, id, toOrgId, now, ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO member_moves (member_id, from_org_id, to_org_id, moved_on, reason, actor, created_at)
                VALUES (@id, @fromOrgId, @toOrgId, @movedOn, @reason, @actor, @now)
                """, new { id, fromOrgId, toOrgId, movedOn = Db(movedOn), reason, actor, now = now.UtcDateTime }, tx, cancellationToken: ct));
            await MemberStore.BumpTokenVersionAsync(conn, tx, id, ct);
    }

    /// <summary>Records a member's death: status deceased, the date, and every role but the plain one ends that day.</summary>
    public Task MarkDeceasedAsync(long id, DateOnly deceasedOn, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var now = audit.OccurredAt;
            await EndRolesAsync(conn, tx, id, OrgPath.Root, deceasedOn, now, ct);
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET status = @status, deceased_on = @deceasedOn, updated_at = @now WHERE id = @id",
                new { id, status = DbNames.Of(MemberStatus.Deceased), deceasedOn = Db(deceasedOn), now = now.UtcDateTime }, tx, cancellationToken: ct));
            await MemberStore.BumpTokenVersionAsync(conn, tx, id, ct);
            await AuditLog.AppendAsync(conn, tx, audit, ct);
            return 0;
        }, ct);

    internal static async Task EndRolesAsync(DbConnection conn, DbTransaction tx, long memberId, string underPath, DateOnly endsOn,
        DateTimeOffset now, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO member_role_history (member_id, role, org_id, starts_on, ends_on, created_at)
            SELECT r.member_id, r.role, r.org_id, r.starts_on, @endsOn, @now
            FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.member_id = @memberId AND r.role <> 'member' AND o.path LIKE @pattern;

            DELETE r FROM member_roles r JOIN orgs o ON o.id = r.org_id
            WHERE r.member_id = @memberId AND r.role <> 'member' AND o.path LIKE @pattern;
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            memberId, pattern = OrgPath.SubtreePattern(underPath), endsOn = Db(endsOn), now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Appoints a member to a role at an org from a date. The org's row is locked, so two secretaries appointed at once
    /// cannot both pass the one-secretary rule; a role she holds already is refused.
    /// </summary>
    public Task AppointAsync(MemberRole role, DateOnly startsOn, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync(new CommandDefinition("SELECT id FROM orgs WHERE id = @OrgId FOR UPDATE", role, tx, cancellationToken: ct));
            var holders = (await conn.QueryAsync<long>(new CommandDefinition(
                "SELECT member_id FROM member_roles WHERE org_id = @OrgId AND role = @Role", role, tx, cancellationToken: ct))).ToList();
            if (holders.Contains(role.MemberId))
                throw new MemberInputException(new FieldError("role", "member.role_held", "该党员已担任此职务。"), conflict: true);
            if (role.Role == Roles.Secretary && OrgRules.AppointSecretary(role.MemberId, holders) is { } refused)
                throw new MemberInputException(new FieldError("role", refused.Code, refused.Text), conflict: true, refused.Regulation);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO member_roles (member_id, role, org_id, starts_on, created_at) VALUES (@MemberId, @Role, @OrgId, @startsOn, @now)
                """, new { role.MemberId, role.Role, role.OrgId, startsOn = Db(startsOn), now = audit.OccurredAt.UtcDateTime }, tx, cancellationToken: ct));
            await MemberStore.BumpTokenVersionAsync(conn, tx, role.MemberId, ct);
            await AuditLog.AppendAsync(conn, tx, audit, ct);
            return 0;
        }, ct);

    /// <summary>Ends a role on a date: it moves to <c>member_role_history</c>. False when she does not hold it.</summary>
    public Task<bool> EndRoleAsync(MemberRole role, DateOnly endsOn, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            const string sql = """
                INSERT INTO member_role_history (member_id, role, org_id, starts_on, ends_on, created_at)
                SELECT member_id, role, org_id, starts_on, @endsOn, @now FROM member_roles
                WHERE member_id = @MemberId AND role = @Role AND org_id = @OrgId;
                """;
            var moved = await conn.ExecuteAsync(new CommandDefinition(sql, new
            {
                role.MemberId, role.Role, role.OrgId, endsOn = Db(endsOn), now = audit.OccurredAt.UtcDateTime,
            }, tx, cancellationToken: ct));
            if (moved == 0)
                return false;
            await MemberStore.DeleteRoleAsync(conn, tx, role, ct);
            await MemberStore.BumpTokenVersionAsync(conn, tx, role.MemberId, ct);
            await AuditLog.AppendAsync(conn, tx, audit, ct);
            return true;
        }, ct);

    /// <summary>When the role the member holds now started, or null (she does not hold it, or no date was kept).</summary>
    public async Task<(bool Held, DateOnly? StartsOn)> HeldAsync(MemberRole role, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<DateTime?>(new CommandDefinition(
            "SELECT starts_on FROM member_roles WHERE member_id = @MemberId AND role = @Role AND org_id = @OrgId", role, cancellationToken: ct))).ToList();
        return rows.Count == 0 ? (false, null) : (true, Day(rows[0]));
    }

    private sealed record SpanRow(string Role, long OrgId, string OrgName, DateTime? StartsOn, DateTime? EndsOn);

    private sealed record MoveRow(DateTime MovedOn, long FromOrgId, string FromOrgName, long ToOrgId, string ToOrgName, string? Reason, string Actor);

    private sealed record TrailRow(DateTime At, string Action, string Actor, string? Data);

    /// <summary>A member's roles now and in the past, her moves and her trail, newest first.</summary>
    public async Task<(IReadOnlyList<RoleSpan> Current, IReadOnlyList<RoleSpan> Past, IReadOnlyList<MemberMove> Moves,
        IReadOnlyList<MemberTrailEntry> Trail)> HistoryAsync(long id, CancellationToken ct)
    {
        const string sql = """
            SELECT r.role AS Role, r.org_id AS OrgId, o.name AS OrgName, r.starts_on AS StartsOn, CAST(NULL AS DATE) AS EndsOn
            FROM member_roles r JOIN orgs o ON o.id = r.org_id WHERE r.member_id = @id ORDER BY o.path, r.role;

            SELECT h.role AS Role, h.org_id AS OrgId, o.name AS OrgName, h.starts_on AS StartsOn, h.ends_on AS EndsOn
            FROM member_role_history h JOIN orgs o ON o.id = h.org_id WHERE h.member_id = @id ORDER BY h.ends_on DESC, h.id DESC;

            SELECT mv.moved_on AS MovedOn, mv.from_org_id AS FromOrgId, f.name AS FromOrgName, mv.to_org_id AS ToOrgId,
                   t.name AS ToOrgName, mv.reason AS Reason, mv.actor AS Actor
            FROM member_moves mv JOIN orgs f ON f.id = mv.from_org_id JOIN orgs t ON t.id = mv.to_org_id
            WHERE mv.member_id = @id ORDER BY mv.moved_on DESC, mv.id DESC;

            SELECT occurred_at AS At, action AS Action, actor AS Actor, data AS Data FROM audit_log
            WHERE entity_type = 'member' AND entity_id = @id ORDER BY occurred_at DESC, id DESC LIMIT 200;
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { id }, cancellationToken: ct));
        static RoleSpan Span(SpanRow r) => new(r.Role, r.OrgId, r.OrgName, Day(r.StartsOn), Day(r.EndsOn));
        var current = (await grid.ReadAsync<SpanRow>()).Select(Span).ToList();
        var past = (await grid.ReadAsync<SpanRow>()).Select(Span).ToList();
        var moves = (await grid.ReadAsync<MoveRow>()).Select(r => new MemberMove(DateOnly.FromDateTime(r.MovedOn), r.FromOrgId, r.FromOrgName,
            r.ToOrgId, r.ToOrgName, r.Reason, r.Actor)).ToList();
        var trail = (await grid.ReadAsync<TrailRow>()).Select(r => new MemberTrailEntry(
            new DateTimeOffset(DateTime.SpecifyKind(r.At, DateTimeKind.Utc)), r.Action, r.Actor, r.Data)).ToList();
        return (current, past, moves, trail);
    }

    /// <summary>A phone or ID-card number already on another member: the unique keys refuse it, named by field.</summary>
    internal static async Task<T> Unique<T>(Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && ex.Message.Contains("ux_members_phone", StringComparison.Ordinal))
        {
            throw new MemberInputException(new FieldError("phone", "member.phone_taken", "该手机号已登记在另一名党员名下，同一手机号不能重复登记。"), conflict: true);
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && ex.Message.Contains("ux_members_id_card", StringComparison.Ordinal))
        {
            throw new MemberInputException(new FieldError("idCard", "member.id_card_taken", "该身份证号已登记在另一名党员名下，同一身份证号不能重复登记。"), conflict: true);
        }
    }
}
