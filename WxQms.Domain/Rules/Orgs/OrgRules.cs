using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Orgs;

/// <summary>A rule an org breaks or a change would break: a warning (allowed, but see the rule) or a refusal, with what it cites.</summary>
public sealed record OrgFinding(string Code, bool Refusal, string Text, string Regulation);

/// <summary>What the org page and the tree count about an org: people on the roll, full members, committee, secretaries.</summary>
public sealed record OrgFacts(OrgKind Kind, int OnTheRoll, int FullMembers, int CommitteeMembers, int Secretaries);

/// <summary>
/// The rules of an org's shape (DUTIES.md A.1): the size of a branch, its committee, one secretary per org. Pure: the
/// counts come in as arguments. Warnings are shown on the org page and in the tree; a refusal stops the change.
/// </summary>
public static class OrgRules
{
    public const string Tiaoli = "《中国共产党支部工作条例（试行）》";

    /// <summary>A branch is formed by 3 or more full (正式) members.</summary>
    public const int MinFullMembers = 3;

    /// <summary>A branch has generally no more than 50 members: at 50 it is flagged for splitting.</summary>
    public const int SplitAt = 50;

    /// <summary>A branch of 7 or more full members elects a committee (支部委员会).</summary>
    public const int CommitteeAt = 7;

    public static readonly string SizeRegulation = Tiaoli + "第二章：有正式党员3人以上的，应当成立党支部；正式党员不足3人的，可以成立联合党支部";
    public static readonly string SplitRegulation = Tiaoli + "第二章：党支部党员人数一般不超过50人";
    public static readonly string CommitteeRegulation = Tiaoli + "第六章：正式党员7人以上的党支部，设立党支部委员会，由3至5人组成，一般不超过7人";
    public static readonly string SecretaryRegulation = Tiaoli + "第六章：党支部设书记1名，根据需要可设副书记";

    /// <summary>The warnings an org's counts call for (none for kinds the rules do not size).</summary>
    public static IReadOnlyList<OrgFinding> Warnings(OrgFacts f)
    {
        var found = new List<OrgFinding>();
        if (f.Kind == OrgKind.Branch)
        {
            if (f.FullMembers < MinFullMembers)
                found.Add(new("org.too_few_members", false,
                    $"正式党员仅 {f.FullMembers} 名，少于 {MinFullMembers} 名：应与邻近单位成立联合党支部或补充党员", SizeRegulation));
            if (f.OnTheRoll >= SplitAt)
                found.Add(new("org.split", false,
                    $"党员 {f.OnTheRoll} 名，达到 {SplitAt} 名：建议拆分党支部或成立党总支", SplitRegulation));
            if (f.FullMembers >= CommitteeAt && f.CommitteeMembers == 0)
                found.Add(new("org.no_committee", false,
                    $"正式党员 {f.FullMembers} 名（{CommitteeAt} 名以上），尚未选举支部委员会", CommitteeRegulation));
        }
        if (f.Secretaries > 1)
            found.Add(new("org.two_secretaries", false, $"现有书记 {f.Secretaries} 名：每个组织只设书记1名", SecretaryRegulation));
        return found;
    }

    /// <summary>
    /// The one rule of one secretary per org, for every path that appoints (the console's roles, the roster import):
    /// appointing <paramref name="memberId"/> (null: someone not on the roll yet) secretary of an org whose secretaries
    /// are <paramref name="currentSecretaries"/> is refused when someone else holds it, else null.
    /// </summary>
    public static OrgFinding? AppointSecretary(long? memberId, IEnumerable<long> currentSecretaries) =>
        currentSecretaries.Any(id => id != memberId)
            ? new("org.secretary_exists", true, "该组织已有书记：每个组织只设书记1名，请先免去现任书记", SecretaryRegulation)
            : null;

    /// <summary>Which kinds may sit directly under which: a party group only in a branch, a branch under a community committee or a general branch (or the subdistrict), …</summary>
    public static OrgFinding? Placement(OrgKind parent, OrgKind child) => OrgTree.CanContain(parent, child)
        ? null
        : new("org.kind_not_allowed", true, $"{OrgTree.KindLabel(parent)}下不能设立{OrgTree.KindLabel(child)}",
            "街道党工委 → 社区党委 / 党总支 → 党支部 → 党小组（" + Tiaoli + "第二章，党小组设在党支部内）");

    /// <summary>
    /// Why an org cannot be dissolved now, or null: nobody on its roll, no org under it and no task open now (tasks of
    /// periods that have not opened are cancelled with it).
    /// </summary>
    public static OrgFinding? Dissolution(OrgKind kind, int onTheRoll, int children, int openTasks)
    {
        if (kind == OrgKind.Subdistrict)
            return new("org.not_dissolvable", true, "街道党工委不能撤销", "");
        var reasons = new List<string>();
        if (onTheRoll > 0)
            reasons.Add($"还有 {onTheRoll} 名党员在册，请先转出");
        if (children > 0)
            reasons.Add($"还有 {children} 个下级组织，请先撤销或移走");
        if (openTasks > 0)
            reasons.Add($"还有 {openTasks} 项进行中的任务，请先完成");
        return reasons.Count == 0 ? null
            : new("org.not_empty", true, "不能撤销：" + string.Join("；", reasons), "");
    }

    /// <summary>A move that would put an org under itself or one of its own descendants.</summary>
    public static OrgFinding? Move(string orgPath, string newParentPath) => OrgPath.IsWithin(newParentPath, orgPath)
        ? new("org.move_into_itself", true, "不能把组织移到它自己或它的下级组织之下", "")
        : null;

    public const int MaxNameLength = 100;
    public const int MaxCodeLength = 64;

    /// <summary>The form's errors by field (Chinese), empty when the name is good.</summary>
    public static string? NameError(string? name) => string.IsNullOrWhiteSpace(name) ? "请填写组织名称"
        : name.Trim().Length > MaxNameLength ? $"组织名称不能超过 {MaxNameLength} 个字" : null;

    /// <summary>An org's code: letters, digits and '-', as the seed's DFL-C03-B01.</summary>
    public static string? CodeError(string? code) => string.IsNullOrWhiteSpace(code) ? "请填写组织编码"
        : code.Trim().Length > MaxCodeLength ? $"组织编码不能超过 {MaxCodeLength} 个字符"
        : code.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null
        : "组织编码只能包含字母、数字、“-”和“_”";
}
