using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;

namespace WxQms.Domain.Storage;

/// <summary>An org as the roster import sees it.</summary>
public sealed record RosterOrg(long Id, long? ParentId, string Path, int Depth, OrgKind Kind, string Name, string Code, DateOnly? EstablishedOn);

/// <summary>A member as the roster import compares her with a row: every column of the sheet, the ID number as its lookup hash.</summary>
public sealed record RosterMember(long Id, long OrgId, string Name, Sex Sex, DateOnly? BirthDate, DateOnly? JoinedOn, DateOnly? AdmittedOn,
    MemberStatus Status, string? Phone, bool Retired, bool Mobile, byte[]? IdCardLookup, byte[]? IdCardCipher);

/// <summary>A role held now, with its start date.</summary>
public sealed record RosterRole(long MemberId, string Role, long OrgId, DateOnly? StartsOn);

/// <summary>A new org of an import; its parent is named by code (an existing org or one created before it).</summary>
public sealed record RosterNewOrg(string Code, string Name, OrgKind Kind, string ParentCode, DateOnly? EstablishedOn, int SortOrder);

/// <summary>An ID-card number as the members table keeps it (see IdCardProtector): ciphertext, last four, lookup hash.</summary>
public sealed record RosterIdCard(byte[] Cipher, string LastFour, byte[] Lookup);

/// <summary>A member's columns as an import writes them; the org by code, the ID number protected (null: keep what is stored).</summary>
public sealed record RosterMemberValues(string OrgCode, string Name, Sex Sex, DateOnly? BirthDate, DateOnly? JoinedOn, DateOnly? AdmittedOn,
    MemberStatus Status, string? Phone, RosterIdCard? IdCard, bool Retired, bool Mobile);

/// <summary>A role to grant (member by id, or by the new member's code) in an org named by code.</summary>
public sealed record RosterGrant(long? MemberId, string? NewMemberCode, string Role, string OrgCode, DateOnly? StartsOn);

/// <summary>Everything an import writes, in the order it is written: orgs, then members, then roles.</summary>
public sealed record RosterChanges(
    IReadOnlyList<RosterNewOrg> NewOrgs,
    IReadOnlyList<(long Id, string Name, DateOnly? EstablishedOn)> OrgUpdates,
    IReadOnlyList<(string Code, RosterMemberValues Values)> NewMembers,
    IReadOnlyList<(long Id, long FromOrgId, RosterMemberValues Values)> MemberUpdates,
    IReadOnlyList<RosterGrant> Grants,
    IReadOnlyList<RosterRole> RoleStarts,
    IReadOnlyList<RosterRole> RoleEnds,
    IReadOnlyList<long> TokenBumps);

/// <summary>A member of an export: her columns, her org's code, her roles by org code.</summary>
public sealed record RosterExportMember(RosterMember Member, string OrgCode, IReadOnlyList<(string Role, string OrgCode, DateOnly? StartsOn)> Roles);

/// <summary>
/// The roster import's and export's SQL: one read of the orgs, one read of the members a file names (by ID lookup
/// hash or phone) and their roles, and the whole file written in one transaction with multi-row statements.
/// </summary>
public sealed class RosterImportStore(MySqlDataSource db)
{
    private const int Chunk = 500;

    private sealed record OrgRow(long Id, long? ParentId, string Path, int Depth, string Kind, string Name, string Code, DateTime? EstablishedOn)
    {
        public RosterOrg ToOrg() => new(Id, ParentId, Path, Depth, DbNames.Parse<OrgKind>(Kind), Name, Code, Day(EstablishedOn));
    }

    private sealed record MemberRow(long Id, long OrgId, string Name, string Sex, DateTime? BirthDate, DateTime? JoinedOn, DateTime? AdmittedOn,
        string Status, string? Phone, bool Retired, bool Mobile, byte[]? IdCardLookup, byte[]? IdCardEnc)
    {
        public RosterMember ToMember() => new(Id, OrgId, Name, DbNames.Parse<Sex>(Sex), Day(BirthDate), Day(JoinedOn), Day(AdmittedOn),
            DbNames.Parse<MemberStatus>(Status), Phone, Retired, Mobile, IdCardLookup, IdCardEnc);
    }

    private sealed record RoleRow(long MemberId, string Role, long OrgId, DateTime? StartsOn);

    private const string MemberColumns = """
        m.id AS Id, m.org_id AS OrgId, m.name AS Name, m.sex AS Sex, m.birth_date AS BirthDate, m.joined_on AS JoinedOn,
        m.admitted_on AS AdmittedOn, m.status AS Status, m.phone AS Phone, m.retired AS Retired, m.mobile AS Mobile,
        m.id_card_lookup AS IdCardLookup, m.id_card_enc AS IdCardEnc
        """;

    /// <summary>Every org of the installation (a subdistrict has a few hundred).</summary>
    public async Task<IReadOnlyList<RosterOrg>> OrgsAsync(CancellationToken ct)
    {
        const string sql = """
            SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code,
                   established_on AS EstablishedOn
            FROM orgs ORDER BY path
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<OrgRow>(new CommandDefinition(sql, cancellationToken: ct))).Select(r => r.ToOrg()).ToList();
    }

    /// <summary>The members holding any of these ID numbers (by lookup hash) or phones, and their roles.</summary>
    public async Task<(IReadOnlyList<RosterMember> Members, IReadOnlyList<RosterRole> Roles)> MatchAsync(
        IReadOnlyCollection<byte[]> lookups, IReadOnlyCollection<string> phones, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var members = new Dictionary<long, RosterMember>();
        foreach (var part in lookups.Chunk(Chunk))
            await AddAsync($"SELECT {MemberColumns} FROM members m WHERE m.id_card_lookup IN @keys", part);
        foreach (var part in phones.Chunk(Chunk))
            await AddAsync($"SELECT {MemberColumns} FROM members m WHERE m.phone IN @keys", part);
        foreach (var part in names.Chunk(Chunk)) // rows whose phone a masked export hid: matched by name and the mask
            await AddAsync($"SELECT {MemberColumns} FROM members m WHERE m.name IN @keys AND m.phone IS NOT NULL", part);
        var roles = new List<RosterRole>();
        foreach (var part in members.Keys.Chunk(Chunk))
        {
            var rows = await conn.QueryAsync<RoleRow>(new CommandDefinition("""
                SELECT member_id AS MemberId, role AS Role, org_id AS OrgId, starts_on AS StartsOn
                FROM member_roles WHERE member_id IN @part
                """, new { part }, cancellationToken: ct));
            roles.AddRange(rows.Select(r => new RosterRole(r.MemberId, r.Role, r.OrgId, Day(r.StartsOn))));
        }
        return (members.Values.ToList(), roles);

        async Task AddAsync<T>(string sql, T[] keys)
        {
            foreach (var row in await conn.QueryAsync<MemberRow>(new CommandDefinition(sql, new { keys }, cancellationToken: ct)))
                members.TryAdd(row.Id, row.ToMember());
        }
    }

    /// <summary>The secretaries these orgs have now (member ids by org), for the one-secretary rule.</summary>
    public async Task<ILookup<long, long>> SecretariesAsync(IReadOnlyCollection<long> orgIds, CancellationToken ct)
    {
        if (orgIds.Count == 0)
            return Array.Empty<(long, long)>().ToLookup(r => r.Item1, r => r.Item2);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = new List<(long OrgId, long MemberId)>();
        foreach (var part in orgIds.Chunk(Chunk))
            rows.AddRange(await conn.QueryAsync<(long, long)>(new CommandDefinition(
                "SELECT org_id, member_id FROM member_roles WHERE role = @role AND org_id IN @part",
                new { role = Roles.Secretary, part }, cancellationToken: ct)));
        return rows.ToLookup(r => r.OrgId, r => r.MemberId);
    }

    /// <summary>The members on the roll sitting in the subtree at <paramref name="path"/>, with their roles, by org and id.</summary>
    public async Task<IReadOnlyList<RosterExportMember>> ExportAsync(string path, CancellationToken ct)
    {
        var sql = $"""
            SELECT {MemberColumns}, o.code AS OrgCode
            FROM members m JOIN orgs o ON o.id = m.org_id
            WHERE o.path LIKE @pattern AND m.status IN ('full', 'probationary')
            ORDER BY o.path, m.id;

            SELECT r.member_id AS MemberId, r.role AS Role, o.code AS OrgCode, r.starts_on AS StartsOn
            FROM member_roles r JOIN members m ON m.id = r.member_id JOIN orgs mo ON mo.id = m.org_id JOIN orgs o ON o.id = r.org_id
            WHERE mo.path LIKE @pattern AND m.status IN ('full', 'probationary') AND r.role <> 'member';
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var grid = await conn.QueryMultipleAsync(new CommandDefinition(sql, new { pattern = OrgPath.SubtreePattern(path) },
            cancellationToken: ct));
        var members = (await grid.ReadAsync()).Select(r => (Row: new MemberRow((long)r.Id, (long)r.OrgId, (string)r.Name, (string)r.Sex,
            (DateTime?)r.BirthDate, (DateTime?)r.JoinedOn, (DateTime?)r.AdmittedOn, (string)r.Status, (string?)r.Phone,
            Convert.ToBoolean(r.Retired), Convert.ToBoolean(r.Mobile), (byte[]?)r.IdCardLookup, (byte[]?)r.IdCardEnc), OrgCode: (string)r.OrgCode)).ToList();
        var roles = (await grid.ReadAsync<(long MemberId, string Role, string OrgCode, DateTime? StartsOn)>())
            .ToLookup(r => r.MemberId, r => (r.Role, r.OrgCode, Day(r.StartsOn)));
        return members.Select(m => new RosterExportMember(m.Row.ToMember(), m.OrgCode, roles[m.Row.Id].ToList())).ToList();
    }

    /// <summary>
    /// Writes the whole import in one transaction (orgs, members, roles, moves, token versions, the audit entry);
    /// nothing is written when any statement fails. A concurrent change that breaks a unique key is a conflict.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> ApplyAsync(RosterChanges changes, string actor, DateTimeOffset now,
        Func<IReadOnlyDictionary<string, long>, AuditEntry> audit, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async (conn, tx) =>
            {
                var orgIds = await WriteOrgsAsync(conn, tx, changes, now, ct);
                var memberIds = await WriteMembersAsync(conn, tx, changes, orgIds, actor, now, ct);
                await WriteRolesAsync(conn, tx, changes, orgIds, memberIds, now, ct);
                foreach (var part in changes.TokenBumps.Chunk(Chunk))
                    await conn.ExecuteAsync(new CommandDefinition("UPDATE members SET token_version = token_version + 1 WHERE id IN @part",
                        new { part }, tx, cancellationToken: ct));
                await AuditLog.AppendAsync(conn, tx, audit(memberIds), ct);
                return (IReadOnlyDictionary<string, long>)memberIds;
            }, ct);
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            throw new ConflictException("roster.conflict", "导入期间名册已被修改（编码、手机号或身份证号重复），未导入任何数据，请重新上传。");
        }
    }

    private static async Task<Dictionary<string, long>> WriteOrgsAsync(DbConnection conn, DbTransaction tx, RosterChanges changes,
        DateTimeOffset now, CancellationToken ct)
    {
        var byCode = new Dictionary<string, Org>(StringComparer.Ordinal);
        var codes = changes.NewOrgs.Select(o => o.ParentCode).Distinct().ToArray();
        if (codes.Length > 0)
        {
            var parents = await conn.QueryAsync<OrgRow>(new CommandDefinition("""
                SELECT id AS Id, parent_id AS ParentId, path AS Path, depth AS Depth, kind AS Kind, name AS Name, code AS Code,
                       established_on AS EstablishedOn
                FROM orgs WHERE code IN @codes
                """, new { codes }, tx, cancellationToken: ct));
            foreach (var p in parents)
                byCode[p.Code] = new Org(p.Id, p.ParentId, p.Path, p.Depth, DbNames.Parse<OrgKind>(p.Kind), p.Name, p.Code, 0);
        }
        foreach (var o in changes.NewOrgs)
        {
            var org = await OrgStore.InsertAsync(conn, tx, byCode[o.ParentCode], o.Kind, o.Name, o.Code, o.SortOrder, now, ct);
            if (o.EstablishedOn is { } on)
                await conn.ExecuteAsync(new CommandDefinition("UPDATE orgs SET established_on = @on WHERE id = @Id",
                    new { org.Id, on = on.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct));
            byCode[o.Code] = org;
        }
        foreach (var u in changes.OrgUpdates)
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE orgs SET name = @Name, established_on = @on, updated_at = @now WHERE id = @Id",
                new { u.Id, u.Name, on = u.EstablishedOn?.ToDateTime(TimeOnly.MinValue), now = now.UtcDateTime }, tx, cancellationToken: ct));

        // Every org a member or role names: the new ones and the existing ones, by code.
        var named = changes.NewMembers.Select(m => m.Values.OrgCode).Concat(changes.MemberUpdates.Select(m => m.Values.OrgCode))
            .Concat(changes.Grants.Select(g => g.OrgCode)).Where(c => !byCode.ContainsKey(c)).Distinct().ToArray();
        var ids = byCode.ToDictionary(p => p.Key, p => p.Value.Id, StringComparer.Ordinal);
        foreach (var part in named.Chunk(Chunk))
            foreach (var (id, code) in await conn.QueryAsync<(long, string)>(new CommandDefinition(
                         "SELECT id, code FROM orgs WHERE code IN @part", new { part }, tx, cancellationToken: ct)))
                ids[code] = id;
        return ids;
    }

    private static async Task<Dictionary<string, long>> WriteMembersAsync(DbConnection conn, DbTransaction tx, RosterChanges changes,
        IReadOnlyDictionary<string, long> orgIds, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var at = now.UtcDateTime;
        await InsertRowsAsync(conn, tx, """
            INSERT INTO members (org_id, name, sex, birth_date, joined_on, admitted_on, status, phone, id_card_enc, id_card_last4,
                                 id_card_lookup, retired, mobile, code, created_at, updated_at)
            """, changes.NewMembers.Select(m => Values(m.Values, orgIds).Append(m.Code).Append(at).Append(at).ToArray()).ToList(), ct);
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var part in changes.NewMembers.Select(m => m.Code).Chunk(Chunk))
            foreach (var (id, code) in await conn.QueryAsync<(long, string)>(new CommandDefinition(
                         "SELECT id, code FROM members WHERE code IN @part", new { part }, tx, cancellationToken: ct)))
                ids[code] = id;
        await InsertRowsAsync(conn, tx, "INSERT INTO member_roles (member_id, role, org_id, starts_on, created_at)",
            changes.NewMembers.Select(m => new object?[] { ids[m.Code], Roles.Member, orgIds[m.Values.OrgCode], null, at }).ToList(), ct);

        // Updates: one statement per member, sent in batches (the columns differ from member to member only in value).
        foreach (var part in changes.MemberUpdates.Chunk(200))
        {
            var sql = new StringBuilder();
            var args = new DynamicParameters();
            for (var i = 0; i < part.Length; i++)
            {
                var (id, from, v) = part[i];
                var cells = Values(v, orgIds);
                var keepId = v.IdCard is null;
                sql.Append(CultureInfo.InvariantCulture, $"""
                    UPDATE members SET org_id = @o{i}, name = @n{i}, sex = @s{i}, birth_date = @b{i}, joined_on = @j{i}, admitted_on = @a{i},
                        status = @st{i}, phone = @p{i}, {(keepId ? "" : $"id_card_enc = @ie{i}, id_card_last4 = @il{i}, id_card_lookup = @ik{i}, ")}
                        retired = @r{i}, mobile = @m{i}, updated_at = @now WHERE id = @id{i};
                    """);
                string[] names = ["o", "n", "s", "b", "j", "a", "st", "p", "ie", "il", "ik", "r", "m"];
                for (var c = 0; c < names.Length; c++)
                    args.Add(names[c] + i, cells[c]);
                args.Add("id" + i, id);
                if (orgIds[v.OrgCode] != from)
                {
                    sql.Append(CultureInfo.InvariantCulture, $"""
                        UPDATE member_roles SET org_id = @o{i} WHERE member_id = @id{i} AND role = 'member';
                        INSERT INTO member_moves (member_id, from_org_id, to_org_id, moved_on, reason, actor, created_at)
                        VALUES (@id{i}, @from{i}, @o{i}, @today, '名册导入', @actor, @now);
                        """);
                    args.Add("from" + i, from);
                }
            }
            args.Add("now", at);
            args.Add("actor", actor);
            args.Add("today", LocalTime.ToLocal(now).Date);
            await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
        }
        return ids;
    }

    private static async Task WriteRolesAsync(DbConnection conn, DbTransaction tx, RosterChanges changes, IReadOnlyDictionary<string, long> orgIds,
        IReadOnlyDictionary<string, long> newMembers, DateTimeOffset now, CancellationToken ct)
    {
        // Roles ended (卸任职务) move to the history, ending today, before the file's appointments (a handover).
        foreach (var r in changes.RoleEnds)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO member_role_history (member_id, role, org_id, starts_on, ends_on, created_at)
                SELECT member_id, role, org_id, starts_on, @endsOn, @now FROM member_roles WHERE member_id = @MemberId AND role = @Role AND org_id = @OrgId;
                DELETE FROM member_roles WHERE member_id = @MemberId AND role = @Role AND org_id = @OrgId;
                """, new { r.MemberId, r.Role, r.OrgId, endsOn = LocalTime.ToLocal(now).Date, now = now.UtcDateTime }, tx, cancellationToken: ct));
        await InsertRowsAsync(conn, tx, "INSERT INTO member_roles (member_id, role, org_id, starts_on, created_at)",
            changes.Grants.Select(g => new object?[]
            {
                g.MemberId ?? newMembers[g.NewMemberCode!], g.Role, orgIds[g.OrgCode], g.StartsOn?.ToDateTime(TimeOnly.MinValue), now.UtcDateTime,
            }).ToList(), ct);
        foreach (var r in changes.RoleStarts)
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE member_roles SET starts_on = @on WHERE member_id = @MemberId AND role = @Role AND org_id = @OrgId",
                new { r.MemberId, r.Role, r.OrgId, on = r.StartsOn?.ToDateTime(TimeOnly.MinValue) }, tx, cancellationToken: ct));
    }

    private static object?[] Values(RosterMemberValues v, IReadOnlyDictionary<string, long> orgIds) =>
    [
        orgIds[v.OrgCode], v.Name, DbNames.Of(v.Sex), v.BirthDate?.ToDateTime(TimeOnly.MinValue), v.JoinedOn?.ToDateTime(TimeOnly.MinValue),
        v.AdmittedOn?.ToDateTime(TimeOnly.MinValue), DbNames.Of(v.Status), v.Phone, v.IdCard?.Cipher, v.IdCard?.LastFour, v.IdCard?.Lookup,
        v.Retired, v.Mobile,
    ];

    /// <summary>A multi-row INSERT of <paramref name="rows"/> (each the values of the columns named in <paramref name="head"/>), in chunks.</summary>
    private static async Task InsertRowsAsync(DbConnection conn, DbTransaction tx, string head, IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        foreach (var part in rows.Chunk(Chunk))
        {
            var sql = new StringBuilder(head).Append(" VALUES ");
            var args = new DynamicParameters();
            for (var r = 0; r < part.Length; r++)
            {
                sql.Append(r == 0 ? "(" : ",(");
                for (var c = 0; c < part[r].Length; c++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"v{r}_{c}");
                    sql.Append(c == 0 ? "@" : ",@").Append(name);
                    args.Add(name, part[r][c]);
                }
                sql.Append(')');
            }
            await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), args, tx, cancellationToken: ct));
        }
    }

    private static DateOnly? Day(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;
}
