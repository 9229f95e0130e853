using System.Security.Cryptography;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Rules.Orgs;
using WxQms.Domain.Storage;
using static WxQms.Domain.Rules.RosterSheet;

namespace WxQms.Domain.Services;

/// <summary>
/// Reads every row of a roster file against the orgs and the members it names, and answers either the errors
/// (sheet, row, column, reason in Chinese) or the changes to write and what each row does (create, update,
/// nothing). Nothing here writes; <see cref="RosterImportService"/> applies the changes in one transaction.
/// </summary>
internal sealed class RosterImportPlanner(RosterFile file, IReadOnlyList<RosterOrg> orgs, string scope, bool mayGrantOfficeRoles,
    IdCardProtector idCards)
{
    private readonly List<RosterError> errors = [];
    private readonly Dictionary<string, RosterOrg> existing = orgs.ToDictionary(o => o.Code, StringComparer.Ordinal);
    private readonly Dictionary<long, RosterOrg> byId = orgs.ToDictionary(o => o.Id);
    private readonly Dictionary<string, (RosterRow Row, OrgKind? Kind, string? Parent)> fileOrgs = new(StringComparer.Ordinal);

    public IReadOnlyList<RosterError> Errors => errors;

    private void Error(string sheet, int row, string column, string reason) => errors.Add(new RosterError(sheet, row, column, reason));

    /// <summary>A member row read and checked on its own, before matching.</summary>
    internal sealed record MemberLine(RosterRow Source, string OrgCode, string Name, Sex Sex, DateOnly? BirthDate, string? IdCard, byte[]? Lookup,
        string? Phone, MemberStatus Status, DateOnly? JoinedOn, DateOnly? AdmittedOn, bool? Retired, bool? Mobile,
        IReadOnlyList<(string Role, string OrgCode)> Roles, DateOnly? RolesSince, IReadOnlyList<(string Role, string OrgCode)> Ends,
        string? PhoneMask = null);

    // ---- organisations --------------------------------------------------------------------------------------

    /// <summary>Checks the organisations sheet; the new orgs (parents first), the renamed ones and the counts.</summary>
    public (List<RosterNewOrg> New, List<(long, string, DateOnly?)> Updates, RosterRowCounts Counts) Orgs()
    {
        foreach (var row in file.Orgs)
        {
            var code = Text(row.Cells.GetValueOrDefault(OrgCode));
            if (code is null)
            {
                Error(OrgSheet, row.Row, OrgCode, "请填写组织编码");
                continue;
            }
            if (!IsCode(code))
                Error(OrgSheet, row.Row, OrgCode, "组织编码只能由字母、数字、“-”和“_”组成，最多64个字符");
            else if (fileOrgs.TryGetValue(code, out var first))
                Error(OrgSheet, row.Row, OrgCode, $"组织编码“{code}”与第{first.Row.Row}行重复");
            var kindText = Text(row.Cells.GetValueOrDefault(OrgKindColumn));
            OrgKind? kind = kindText is not null && Kinds.TryGetValue(kindText, out var k) ? k : null;
            fileOrgs.TryAdd(code, (row, kind, Text(row.Cells.GetValueOrDefault(ParentCode))));
        }

        var created = new List<RosterNewOrg>();
        var updates = new List<(long, string, DateOnly?)>();
        int create = 0, update = 0, same = 0;
        foreach (var row in file.Orgs)
        {
            var code = Text(row.Cells.GetValueOrDefault(OrgCode));
            if (code is null || !fileOrgs.TryGetValue(code, out var entry) || entry.Row != row)
                continue;
            var name = Text(row.Cells.GetValueOrDefault(OrgName));
            if (name is null)
                Error(OrgSheet, row.Row, OrgName, "请填写组织名称");
            else if (name.Length > 100)
                Error(OrgSheet, row.Row, OrgName, "组织名称最多100个字");
            var kindText = Text(row.Cells.GetValueOrDefault(OrgKindColumn));
            if (entry.Kind is null)
                Error(OrgSheet, row.Row, OrgKindColumn, kindText is null ? "请填写组织类别" : $"组织类别“{kindText}”不正确，可填：社区党委、党总支、党支部、党小组");
            var established = Date(row.Cells.GetValueOrDefault(EstablishedOn), out var dateOk);
            if (!dateOk)
                Error(OrgSheet, row.Row, EstablishedOn, "日期格式不正确，请填写如 2024-07-01");
            var parent = entry.Parent;

            if (existing.TryGetValue(code, out var org))
            {
                if (!OrgPath.IsWithin(org.Path, scope))
                {
                    Error(OrgSheet, row.Row, OrgCode, $"组织“{code}”不在您管理的范围内");
                    continue;
                }
                if (entry.Kind is { } kk && kk != org.Kind)
                    Error(OrgSheet, row.Row, OrgKindColumn, $"组织类别不能通过导入变更（现为{OrgTree.KindLabel(org.Kind)}）");
                var parentCode = org.ParentId is { } pid && byId.TryGetValue(pid, out var p) ? p.Code : null;
                if (parent != parentCode)
                    Error(OrgSheet, row.Row, ParentCode, $"上级组织不能通过导入变更（现为“{parentCode}”），请在组织管理中移动");
                var newEstablished = established ?? org.EstablishedOn;
                if (name is not null && (name != org.Name || newEstablished != org.EstablishedOn))
                {
                    updates.Add((org.Id, name, newEstablished));
                    update++;
                }
                else
                    same++;
                continue;
            }

            if (parent is null)
            {
                Error(OrgSheet, row.Row, ParentCode, "请填写上级组织编码");
                continue;
            }
            OrgKind? parentKind = existing.TryGetValue(parent, out var po) ? po.Kind : fileOrgs.TryGetValue(parent, out var pf) ? pf.Kind : null;
            if (!existing.ContainsKey(parent) && !fileOrgs.ContainsKey(parent))
                Error(OrgSheet, row.Row, ParentCode, $"上级组织编码“{parent}”不存在");
            else if (InScope(parent, 0) is not true)
                Error(OrgSheet, row.Row, ParentCode, $"上级组织“{parent}”不在您管理的范围内");
            else if (entry.Kind is { } kind && parentKind is { } pk && !OrgTree.CanContain(pk, kind))
                Error(OrgSheet, row.Row, OrgKindColumn, $"{OrgTree.KindLabel(pk)}下不能设立{OrgTree.KindLabel(kind)}");
            if (name is not null && entry.Kind is { } newKind)
                created.Add(new RosterNewOrg(code, name, newKind, parent, established, row.Row));
            create++;
        }
        return (ParentsFirst(created), updates, new RosterRowCounts(create, update, same));
    }

    /// <summary>Whether an org (existing or new in the file) lies in the caller's scope; null when its chain does not resolve.</summary>
    private bool? InScope(string code, int depth)
    {
        if (existing.TryGetValue(code, out var org))
            return OrgPath.IsWithin(org.Path, scope);
        if (depth > 20 || !fileOrgs.TryGetValue(code, out var f) || f.Parent is null)
            return null;
        return InScope(f.Parent, depth + 1);
    }

    private bool Known(string code) => existing.ContainsKey(code) || fileOrgs.ContainsKey(code);

    private List<RosterNewOrg> ParentsFirst(List<RosterNewOrg> created)
    {
        var pending = created.ToDictionary(o => o.Code, StringComparer.Ordinal);
        var ordered = new List<RosterNewOrg>();
        var done = new HashSet<string>(existing.Keys, StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var ready = pending.Values.Where(o => done.Contains(o.ParentCode)).OrderBy(o => o.SortOrder).ToList();
            if (ready.Count == 0)
            {
                foreach (var o in pending.Values)
                    if (errors.All(e => e.Sheet != OrgSheet || e.Row != o.SortOrder))
                        Error(OrgSheet, o.SortOrder, ParentCode, "上级组织无法确定（编码循环引用或上级有错误）");
                break;
            }
            foreach (var o in ready)
            {
                ordered.Add(o);
                done.Add(o.Code);
                pending.Remove(o.Code);
            }
        }
        return ordered;
    }

    // ---- members --------------------------------------------------------------------------------------------

    /// <summary>Reads each member row on its own: formats, required cells, duplicates within the file.</summary>
    public List<MemberLine> ReadMembers()
    {
        var lines = new List<MemberLine>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var phones = new Dictionary<string, int>(StringComparer.Ordinal);
        var secretaries = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in file.Members)
        {
            var before = errors.Count;
            string? Cell(string column) => Text(row.Cells.GetValueOrDefault(column));
            void Bad(string column, string reason) => Error(MemberSheet, row.Row, column, reason);
            DateOnly? DateCell(string column)
            {
                var d = Date(row.Cells.GetValueOrDefault(column), out var ok);
                if (!ok)
                    Bad(column, "日期格式不正确，请填写如 2024-07-01");
                return d;
            }

            var orgCode = Cell(MemberOrg);
            if (orgCode is null)
                Bad(MemberOrg, "请填写所属组织编码");
            else if (!Known(orgCode))
                Bad(MemberOrg, $"组织编码“{orgCode}”不存在（既不在系统中，也不在“组织”表中）");
            else if (InScope(orgCode, 0) is not true)
                Bad(MemberOrg, $"组织“{orgCode}”不在您管理的范围内");

            var name = Cell(Name);
            if (name is null)
                Bad(Name, "请填写姓名");
            else if (name.Length > 50)
                Bad(Name, "姓名最多50个字");

            var sexText = Cell(SexColumn);
            Sex? sex = sexText switch { "男" => Sex.Male, "女" => Sex.Female, _ => null };
            if (sex is null)
                Bad(SexColumn, sexText is null ? "请填写性别（男/女）" : $"性别“{sexText}”不正确，请填写男或女");

            var birth = DateCell(BirthDate);

            string? idCard = null;
            byte[]? lookup = null;
            var idCell = row.Cells.GetValueOrDefault(IdCard);
            var masked = Text(idCell) is { } shown && IdCardNumbers.IsMask(shown); // a masked export's: the stored number stays
            if (masked)
                idCell = null;
            if (idCell is double)
                Bad(IdCard, "身份证号请以文本格式填写（18位，数字格式会丢失末位）");
            else if (Text(idCell) is { } idText)
            {
                idCard = IdCardNumbers.Normalize(idText);
                if (idCard is null)
                    Bad(IdCard, "身份证号无效（应为18位，校验位或出生日期不正确）");
                else if (!idCards.IsConfigured)
                    Bad(IdCard, "未配置身份证号加密密钥（Members:IdCardKey），无法导入身份证号");
                else if (ids.TryGetValue(idCard, out var other))
                    Bad(IdCard, $"身份证号与第{other}行重复");
                else
                {
                    ids[idCard] = row.Row;
                    lookup = idCards.Lookup(idCard);
                    if (birth is { } b && IdCardNumbers.BirthDate(idCard) != b)
                        Bad(BirthDate, "出生日期与身份证号不符");
                    birth ??= IdCardNumbers.BirthDate(idCard); // left empty: the number says it
                }
            }

            var phone = Cell(Phone);
            var phoneMask = phone is not null && IsPhoneMask(phone) ? phone : null; // a masked export's: the stored number stays
            if (phoneMask is not null)
                phone = null;
            if (phone is not null)
            {
                if (!IsPhone(phone))
                    Bad(Phone, $"手机号“{phone}”不正确，应为11位数字");
                else if (phones.TryGetValue(phone, out var other))
                    Bad(Phone, $"手机号与第{other}行重复");
                else
                    phones[phone] = row.Row;
            }
            if (phone is null && Text(idCell) is null && phoneMask is null)
                Bad(IdCard, masked ? "身份证号已隐藏（仅街道党建办可导出完整号码），请填写手机号以识别党员"
                    : "身份证号和手机号至少填写一项（用于识别党员）");

            var statusText = Cell(Status);
            MemberStatus? status = statusText is not null && Statuses.TryGetValue(statusText, out var s) ? s : null;
            if (status is null)
                Bad(Status, statusText is null ? "请填写党员状态（正式党员/预备党员）" : $"党员状态“{statusText}”不正确，可填：正式党员、预备党员");
            var joined = DateCell(JoinedOn);
            var admitted = DateCell(AdmittedOn);

            var retired = YesNo(row.Cells.GetValueOrDefault(Retired), out var retiredOk);
            if (!retiredOk)
                Bad(Retired, "请填写“是”或“否”");
            var mobile = YesNo(row.Cells.GetValueOrDefault(Mobile), out var mobileOk);
            if (!mobileOk)
                Bad(Mobile, "请填写“是”或“否”");

            List<(string Role, string OrgCode)> RoleCell(string column, bool appoint)
            {
                var found = new List<(string, string)>();
                foreach (var item in Cell(column) is { } rolesText ? ParseRoles(rolesText) : [])
                {
                    var at = item.OrgCode ?? orgCode;
                    if (item.Role is null)
                        Bad(column, $"未知职务“{item.Word}”，可填：书记、党务工作者、委员（支委）、街道党建办、督查员");
                    else if (at is null)
                        continue;
                    else if (!Known(at))
                        Bad(column, $"职务“{item.Word}”的组织编码“{at}”不存在");
                    else if (InScope(at, 0) is not true)
                        Bad(column, $"职务“{item.Word}”的组织“{at}”不在您管理的范围内");
                    else if (item.Role is Roles.Staff or Roles.Inspector && !mayGrantOfficeRoles)
                        Bad(column, $"只有街道党建办可以{(appoint ? "任命" : "免去")}“{item.Word}”");
                    else if (appoint && item.Role == Roles.Secretary && secretaries.TryGetValue(at, out var other))
                        Bad(column, $"组织“{at}”的书记已在第{other}行填写，一个组织只设一名书记");
                    else
                    {
                        if (appoint && item.Role == Roles.Secretary)
                            secretaries[at] = row.Row;
                        found.Add((item.Role, at));
                    }
                }
                return found.Distinct().ToList();
            }
            var roles = RoleCell(RolesColumn, appoint: true);
            var since = DateCell(RolesSince);
            var ends = RoleCell(RolesEnded, appoint: false);
            if (ends.Intersect(roles).Any())
                Bad(RolesEnded, "同一职务不能在“职务”和“卸任职务”中同时填写");

            if (errors.Count == before)
                lines.Add(new MemberLine(row, orgCode!, name!, sex!.Value, birth, idCard, lookup, phone, status!.Value, joined, admitted,
                    retired, mobile, roles, since, ends, phoneMask));
        }
        return lines;
    }

    /// <summary>
    /// Matches each line with a member (by ID number, else by phone) and decides what it does; the changes to write
    /// and the counts. Lines matching a member outside the scope, off the roll, or whose phone or ID belongs to
    /// someone else are errors.
    /// </summary>
    public (List<(string, RosterMemberValues)> New, List<(long, long, RosterMemberValues)> Updates, List<RosterGrant> Grants,
        List<RosterRole> Starts, List<RosterRole> Ends, List<long> Bumps, RosterRowCounts Counts) Members(IReadOnlyList<MemberLine> lines,
        IReadOnlyList<RosterMember> matched, IReadOnlyList<RosterRole> heldRoles, ILookup<long, long> secretaries, DateTimeOffset now)
    {
        var byLookup = matched.Where(m => m.IdCardLookup is not null).ToDictionary(m => Convert.ToHexString(m.IdCardLookup!));
        var byPhone = matched.Where(m => m.Phone is not null).ToDictionary(m => m.Phone!, StringComparer.Ordinal);
        var held = heldRoles.ToLookup(r => r.MemberId);
        // A secretary the file ends (卸任职务) makes room for the one it appoints: a handover in one file.
        var endedSecretaries = lines.SelectMany(l => l.Ends.Where(e => e.Role == Roles.Secretary && existing.ContainsKey(e.OrgCode))
                .Select(e => (OrgId: existing[e.OrgCode].Id, Member: (l.Lookup is { } k ? byLookup.GetValueOrDefault(Convert.ToHexString(k)) : null)
                    ?? (l.Phone is { } p ? byPhone.GetValueOrDefault(p) : null))))
            .Where(e => e.Member is not null).Select(e => (e.OrgId, e.Member!.Id)).ToHashSet();
        secretaries = secretaries.SelectMany(g => g.Select(id => (OrgId: g.Key, Id: id))).Where(e => !endedSecretaries.Contains(e))
            .ToLookup(e => e.OrgId, e => e.Id);
        var claimed = new Dictionary<long, int>();
        var created = new List<(string, RosterMemberValues)>();
        var updates = new List<(long, long, RosterMemberValues)>();
        var grants = new List<RosterGrant>();
        var starts = new List<RosterRole>();
        var ends = new List<RosterRole>();
        var bumps = new List<long>();
        int create = 0, update = 0, same = 0;
        foreach (var line in lines)
        {
            var row = line.Source.Row;
            var member = line.Lookup is { } l && byLookup.TryGetValue(Convert.ToHexString(l), out var m1) ? m1 : null;
            var phoneOwner = line.Phone is { } ph && byPhone.TryGetValue(ph, out var m2) ? m2 : null;
            if (member is null && line.PhoneMask is { } mask)
            {
                // Both numbers hidden by a masked export: the member of that name whose phone shows as that mask.
                var named = matched.Where(m => m.Name == line.Name && m.Phone is { } p && MaskPhone(p) == mask
                    && (line.BirthDate is null || m.BirthDate == line.BirthDate)).ToList();
                if (named.Count != 1)
                {
                    Error(MemberSheet, row, Phone, named.Count == 0
                        ? "手机号已隐藏，且找不到同名、手机号相符的党员，请填写完整手机号或身份证号"
                        : "手机号已隐藏，且有多名同名党员手机号相符，请填写完整手机号或身份证号");
                    continue;
                }
                member = named[0];
            }
            if (member is not null && phoneOwner is not null && phoneOwner.Id != member.Id)
            {
                Error(MemberSheet, row, Phone, "手机号已属于另一名党员");
                continue;
            }
            if (member is null && phoneOwner is not null)
            {
                if (line.Lookup is not null && phoneOwner.IdCardLookup is not null)
                {
                    Error(MemberSheet, row, Phone, "手机号已属于另一名党员（身份证号不同）");
                    continue;
                }
                member = phoneOwner;
            }

            if (member is null)
            {
                // A new probationary member comes with her admission date; members already on the roll keep theirs
                // (the roll kept none before the import existed).
                if (line.Status == MemberStatus.Probationary && line.AdmittedOn is null)
                {
                    Error(MemberSheet, row, AdmittedOn, "预备党员须填写接收预备党员日期");
                    continue;
                }
                if (SecretaryRefused(row, null, line.Roles, secretaries))
                    continue;
                var values = new RosterMemberValues(line.OrgCode, line.Name, line.Sex, line.BirthDate,
                    line.JoinedOn, line.AdmittedOn, line.Status, line.Phone, line.IdCard is { } n ? Protect(n) : null,
                    line.Retired ?? false, line.Mobile ?? false);
                var code = NewMemberCode(now);
                created.Add((code, values));
                grants.AddRange(line.Roles.Select(r => new RosterGrant(null, code, r.Role, r.OrgCode, line.RolesSince)));
                create++;
                continue;
            }

            if (claimed.TryGetValue(member.Id, out var otherRow))
            {
                Error(MemberSheet, row, line.Lookup is not null ? IdCard : Phone, $"与第{otherRow}行是同一名党员");
                continue;
            }
            claimed[member.Id] = row;
            if (!byId.TryGetValue(member.OrgId, out var memberOrg) || !OrgPath.IsWithin(memberOrg.Path, scope))
            {
                Error(MemberSheet, row, line.Lookup is not null ? IdCard : Phone, "该党员属于您管理范围以外的组织");
                continue;
            }
            if (member.Status is not (MemberStatus.Full or MemberStatus.Probationary))
            {
                Error(MemberSheet, row, Status, "该党员已不在册（已转出或已去世），不能通过导入恢复");
                continue;
            }
            if (member.Status != line.Status)
            {
                Error(MemberSheet, row, Status, $"党员状态不能通过导入变更（现为{StatusWord(member.Status)}），预备党员转正请走转正流程");
                continue;
            }
            if (SecretaryRefused(row, member.Id, line.Roles, secretaries))
                continue;

            var sameId = line.Lookup is null || (member.IdCardLookup is { } stored && stored.AsSpan().SequenceEqual(line.Lookup));
            var next = new RosterMemberValues(line.OrgCode, line.Name, line.Sex, line.BirthDate ?? member.BirthDate, line.JoinedOn ?? member.JoinedOn,
                line.AdmittedOn ?? member.AdmittedOn, line.Status, line.Phone ?? member.Phone, sameId ? null : Protect(line.IdCard!),
                line.Retired ?? member.Retired, line.Mobile ?? member.Mobile);
            var moved = existing.TryGetValue(line.OrgCode, out var to) ? to.Id != member.OrgId : true;
            var changed = moved || !sameId || next.Name != member.Name || next.Sex != member.Sex || next.BirthDate != member.BirthDate
                || next.JoinedOn != member.JoinedOn || next.AdmittedOn != member.AdmittedOn || next.Phone != member.Phone
                || next.Retired != member.Retired || next.Mobile != member.Mobile;
            if (changed)
                updates.Add((member.Id, member.OrgId, next));

            var granted = false;
            foreach (var (role, orgCode) in line.Roles)
            {
                var has = existing.TryGetValue(orgCode, out var ro) ? held[member.Id].FirstOrDefault(r => r.Role == role && r.OrgId == ro.Id) : null;
                if (has is null)
                {
                    grants.Add(new RosterGrant(member.Id, null, role, orgCode, line.RolesSince));
                    granted = true;
                }
                else if (line.RolesSince is { } on && has.StartsOn != on)
                {
                    starts.Add(has with { StartsOn = on });
                    changed = true;
                }
            }
            // A role named in 卸任职务 that she holds ends; one she does not hold (ended already) is left as it is.
            var ended = false;
            foreach (var (role, orgCode) in line.Ends)
            {
                if (existing.TryGetValue(orgCode, out var eo) && held[member.Id].FirstOrDefault(r => r.Role == role && r.OrgId == eo.Id) is { } holding)
                {
                    ends.Add(holding);
                    ended = true;
                }
            }
            if (moved || granted || ended)
                bumps.Add(member.Id);
            if (changed || granted || ended)
                update++;
            else
                same++;
        }
        return (created, updates, grants, starts, ends, bumps, new RosterRowCounts(create, update, same));
    }

    /// <summary>
    /// A secretary the row names for an org that has another one now (<see cref="OrgRules.AppointSecretary"/>, the
    /// console's rule): one error per such org; true when there was any.
    /// </summary>
    private bool SecretaryRefused(int row, long? memberId, IReadOnlyList<(string Role, string OrgCode)> roles, ILookup<long, long> secretaries)
    {
        var refused = false;
        foreach (var (role, code) in roles)
        {
            if (role == Roles.Secretary && existing.TryGetValue(code, out var org) && OrgRules.AppointSecretary(memberId, secretaries[org.Id]) is { } rule)
            {
                Error(MemberSheet, row, RolesColumn, $"组织“{code}”：{rule.Text}");
                refused = true;
            }
        }
        return refused;
    }

    private RosterIdCard Protect(string number)
    {
        var p = idCards.Protect(number);
        return new RosterIdCard(p.Cipher, p.LastFour, p.Lookup);
    }

    private static string NewMemberCode(DateTimeOffset now) =>
        $"IMP-{LocalTime.ToLocal(now):yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}";

    private static bool IsCode(string code) => code.Length <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
