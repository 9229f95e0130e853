using System.Globalization;
using WxQms.Domain.Model;

namespace WxQms.Sandbox.Seeding;

/// <summary>
/// The synthetic demo subdistrict (DUTIES.md E.4): 东风路街道党工委 with 16 community party organisations,
/// about 60 branches and about 2,000 members with realistic names, ages, join dates and roles.
/// <para>
/// <see cref="Build"/> is pure: no I/O and no clock. A fixed <see cref="RandomSeed"/> and the fixed
/// <see cref="AsOf"/> date give the same plan, down to every phone number, on every run.
/// </para>
/// </summary>
public static class DemoSubdistrict
{
    public const int RandomSeed = 2018;

    /// <summary>Ages, join dates and probation are measured against this date, never against today.</summary>
    public static readonly DateOnly AsOf = new(2026, 1, 1);

    public const string RootCode = "DFL";
    public const string RootName = "东风路街道党工委";

    public static SeedPlan Build() => new Generator(new Random(RandomSeed)).Run();

    // ---- shape ------------------------------------------------------------------------------

    private sealed record CommunityDef(string Street, OrgKind Kind);

    /// <summary>The 16 community party organisations, in the order they get codes C01…C16.</summary>
    private static readonly CommunityDef[] Communities =
    [
        new("文化路", OrgKind.CommunityCommittee),
        new("经三路", OrgKind.GeneralBranch),
        new("东风路", OrgKind.GeneralBranch),
        new("农业路", OrgKind.CommunityCommittee),
        new("经五路", OrgKind.GeneralBranch),
        new("经七路", OrgKind.Branch),
        new("丰产路", OrgKind.GeneralBranch),
        new("红专路", OrgKind.CommunityCommittee),
        new("政六街", OrgKind.GeneralBranch),
        new("政七街", OrgKind.Branch),
        new("纬五路", OrgKind.GeneralBranch),
        new("优胜南路", OrgKind.CommunityCommittee),
        new("国基路", OrgKind.GeneralBranch),
        new("沙口路", OrgKind.Branch),
        new("南阳路", OrgKind.GeneralBranch),
        new("姚砦路", OrgKind.Branch),
    ];

    /// <summary>Residential compounds that give their name to a 楼院党支部.</summary>
    private static readonly string[] Compounds =
    [
        "金水花园", "文化新村", "农科小区", "黄河科技苑", "省建小区", "电力小区", "财政小区",
        "银河花园", "地质新村", "顺河小区", "丰庆花园", "纺机新村", "绿城花园", "英协花园",
    ];

    /// <summary>Kinds of business area whose small firms share a 非公企业联合党支部 (prefixed with the street).</summary>
    private static readonly string[] BusinessAreas =
    [
        "商务楼宇", "沿街商铺", "科技园区", "电子市场", "商贸城", "创业园", "写字楼", "餐饮街区", "建材市场", "物流园区",
    ];

    private static readonly string[] Ordinals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

    /// <summary>Who typically sits in a branch; drives age, sex, retirement and mobility.</summary>
    private enum Profile
    {
        /// <summary>Grid (网格) branch: residents in work and some retirees; the oldest sit in 离退休党支部.</summary>
        Grid,
        /// <summary>Residential compound of a state unit: older than a grid.</summary>
        Compound,
        /// <summary>离退休党支部.</summary>
        Retirees,
        /// <summary>A community that is a single branch: everyone together.</summary>
        WholeCommunity,
        /// <summary>两新 joint branch: employees of small private firms.</summary>
        Joint,
        /// <summary>Subdistrict party-building office staff.</summary>
        Office,
    }

    private sealed record Band(int Low, int High, int Weight);

    private static readonly IReadOnlyDictionary<Profile, Band[]> AgeBands = new Dictionary<Profile, Band[]>
    {
        [Profile.Grid] = [new(20, 25, 6), new(26, 35, 19), new(36, 45, 22), new(46, 55, 23), new(56, 60, 8), new(61, 70, 12), new(71, 80, 7), new(81, 95, 3)],
        [Profile.Compound] = [new(20, 25, 4), new(26, 35, 16), new(36, 45, 20), new(46, 55, 22), new(56, 60, 9), new(61, 70, 15), new(71, 80, 9), new(81, 95, 5)],
        [Profile.Retirees] = [new(55, 60, 8), new(61, 70, 36), new(71, 80, 34), new(81, 95, 22)],
        [Profile.WholeCommunity] = [new(20, 25, 5), new(26, 35, 14), new(36, 45, 18), new(46, 55, 18), new(56, 60, 10), new(61, 70, 17), new(71, 80, 12), new(81, 95, 6)],
        [Profile.Joint] = [new(21, 25, 14), new(26, 35, 40), new(36, 45, 30), new(46, 55, 14), new(56, 60, 2)],
        [Profile.Office] = [new(24, 30, 30), new(31, 40, 40), new(41, 50, 25), new(51, 58, 5)],
    };

    /// <summary>Age at which a full member joined the Party.</summary>
    private static readonly Band[] JoinAgeBands = [new(18, 25, 45), new(26, 35, 35), new(36, 45, 15), new(46, 55, 5)];

    private static double FemaleShare(Profile p) => p switch
    {
        Profile.Joint => 0.40,
        Profile.Retirees => 0.50,
        Profile.Compound => 0.52,
        _ => 0.55,
    };

    // ---- names and phones -------------------------------------------------------------------

    /// <summary>Common surnames with a weight roughly proportional to their frequency (per mille).</summary>
    private static readonly (string Surname, int Weight)[] Surnames = Weighted(
        "王71 李70 张67 刘54 陈46 杨31 赵23 黄22 周21 吴20 徐13 孙12 胡12 朱11 高11 林10 何10 郭10 马9 罗8 " +
        "梁8 宋7 郑7 谢6 韩6 唐5 冯5 于5 董5 程5 曹5 袁5 邓5 许5 傅4 沈4 曾4 彭4 吕4 苏4 卢4 蒋4 蔡4 贾4 " +
        "丁3 魏3 薛3 叶3 阎3 余3 潘3 杜3 戴3 夏3 钟3 汪3 田3 任3 姜3 范3 方3 石3 姚3 谭3 廖2 邹2 熊2 金2 " +
        "陆2 郝2 孔2 白2 崔2 康2 毛2 邱2 秦2 江2 史2 顾2 侯2 邵2 孟2 龙2 段2 雷2 钱2 汤2 尹2 常2 武2 乔2 " +
        "贺2 牛2 申2 葛2 翟1 鲁1 岳1 耿1 裴1 樊1");

    /// <summary>Given names by generation and sex: (single-character names, two-character names).</summary>
    private sealed record NamePool(string[] Single, string[] Double, double SingleShare);

    private static NamePool Pool(string single, string @double, double singleShare) =>
        new(single.Split(' '), @double.Split(' '), singleShare);

    private static readonly NamePool OldMen = Pool(
        "军 明 华 斌 林 平 忠 勇 山 富",
        "建国 建华 国庆 国强 志强 德明 振华 卫东 红军 建军 保国 永祥 文斌 玉林 树林 长江 福生 德胜 立新 学文 " +
        "国栋 金山 双喜 广田 俊生 宝山 恩来 新华 永福 庆林",
        0.15);

    private static readonly NamePool OldWomen = Pool(
        "英 兰 珍 梅 琴 芬 荣",
        "秀英 桂英 玉兰 淑珍 秀兰 凤英 桂兰 淑芬 玉珍 秀珍 素琴 翠花 丽华 玉梅 红梅 爱华 秀云 桂芳 淑兰 金凤 " +
        "素珍 玉芝 凤兰 秀荣 爱琴 月英 淑英 桂珍 玉英 素梅",
        0.12);

    private static readonly NamePool MiddleMen = Pool(
        "伟 强 磊 军 勇 杰 涛 斌 超 刚 峰 辉 鹏 亮 波",
        "建伟 志刚 海涛 晓东 立军 红伟 振宇 国华 文军 宏伟 永刚 卫国 新民 俊峰 建峰 志勇 海军 晓明 建新 " +
        "国栋 春雷 玉龙 卫平 向阳 小军 建设 利民 明亮 少华 志远",
        0.35);

    private static readonly NamePool MiddleWomen = Pool(
        "芳 丽 敏 静 艳 娟 霞 红 燕 萍 莉 玲",
        "丽娟 晓燕 春梅 红霞 海燕 秀梅 丽萍 雪梅 晓红 玉霞 艳玲 桂红 丽君 晓丽 红艳 建萍 丽霞 淑娟 彩霞 " +
        "亚楠 晓静 海霞 春燕 雪芳 秀丽 玉洁 慧娟 小红 丽丽 艳红",
        0.35);

    private static readonly NamePool YoungMen = Pool(
        "浩 鹏 宇 晨 昊 磊 凯 帅 阳 博",
        "浩然 宇航 子豪 俊杰 博文 一鸣 嘉豪 天宇 家豪 振宇 明轩 志远 思远 梓豪 皓轩 文博 浩宇 鹏飞 子轩 " +
        "旭东 佳豪 俊豪 泽宇 一帆 建豪 晨阳 宇轩 博涵 瑞祥 昊天",
        0.2);

    private static readonly NamePool YoungWomen = Pool(
        "婷 雪 琳 倩 璐 瑶 洁 颖 蕾 楠",
        "欣怡 佳怡 雨欣 诗琪 梦瑶 思雨 晓彤 婉婷 佳琪 雅琪 梦琪 心怡 嘉欣 雨婷 慧敏 子涵 雅静 若曦 佳慧 " +
        "梦洁 静怡 怡然 晓雪 雨萱 佳宁 诗涵 一诺 可欣 雪晴 舒婷",
        0.2);

    /// <summary>Mobile prefixes of the three carriers, as seen in Henan.</summary>
    private static readonly string[] PhonePrefixes =
    [
        "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183",
        "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "177", "180", "189", "199",
    ];

    private static (string, int)[] Weighted(string spec) =>
        spec.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => (s[..1], int.Parse(s[1..], CultureInfo.InvariantCulture)))
            .ToArray();

    private static int AgeOn(DateOnly birth, DateOnly on)
    {
        var age = on.Year - birth.Year;
        return birth > on.AddYears(-age) ? age - 1 : age;
    }

    // ---- generator --------------------------------------------------------------------------

    private sealed record BranchPlan(string Name, int Size, Profile Profile);

    private sealed class Person
    {
        public required string Code { get; init; }
        public required string OrgCode { get; init; }
        public required string Name { get; init; }
        public required Sex Sex { get; init; }
        public required DateOnly BirthDate { get; init; }
        public required DateOnly JoinedOn { get; init; }
        public required MemberStatus Status { get; init; }
        public required string Phone { get; init; }
        public required bool Retired { get; init; }
        public required bool Mobile { get; init; }
        public List<SeedRole> Roles { get; } = [];

        public int Age => AgeOn(BirthDate, AsOf);
        public bool IsFull => Status == MemberStatus.Full;

        /// <summary>Holds no role beyond plain membership.</summary>
        public bool IsPlain => Roles.All(r => r.Role == WxQms.Domain.Model.Roles.Member);

        public SeedMember ToSeed() =>
            new(Code, OrgCode, Name, Sex, BirthDate, JoinedOn, Status, Phone, Retired, Mobile, Roles.ToArray());
    }

    private sealed class Generator(Random rng)
    {
        private readonly List<SeedOrg> orgs = [];
        private readonly List<Person> people = [];
        private readonly HashSet<string> phones = [];

        public SeedPlan Run()
        {
            orgs.Add(new SeedOrg(RootCode, null, OrgKind.Subdistrict, RootName, 1));

            var staff = AddOffice();

            // Fix the shape first, so the branch count stays in range whatever the draws below:
            // 4 committees with 4, 5, 5 and 6 residential branches and 7–10 joint branches between them,
            // 2–3 oversized compound branches among the committees, and 8 general branches with 3 or 4.
            var committees = Communities.Count(c => c.Kind == OrgKind.CommunityCommittee);
            var committeeBranches = new Queue<int>(Shuffled([4, 5, 5, 6]));
            var jointPerCommittee = new Queue<int>(Spread(rng.Next(7, 11), committees, 1, 3));
            var oversizedCount = rng.Next(2, 4);
            var oversized = new Queue<bool>(Shuffled(Enumerable.Range(0, committees).Select(i => i < oversizedCount)));
            var generalBranches = new Queue<int>(Shuffled([3, 3, 3, 3, 4, 4, 4, 4]));
            var compounds = new Queue<string>(Shuffled(Compounds));

            for (var i = 0; i < Communities.Length; i++)
            {
                var def = Communities[i];
                var code = $"{RootCode}-C{i + 1:D2}";
                switch (def.Kind)
                {
                    case OrgKind.CommunityCommittee:
                        orgs.Add(new SeedOrg(code, RootCode, def.Kind, $"{def.Street}社区党委", i + 1));
                        AddCommunity(code, PlanCommittee(def.Street, committeeBranches.Dequeue(), compounds.Dequeue(),
                            jointPerCommittee.Dequeue(), oversized.Dequeue()));
                        break;
                    case OrgKind.GeneralBranch:
                        orgs.Add(new SeedOrg(code, RootCode, def.Kind, $"{def.Street}社区党总支", i + 1));
                        AddCommunity(code, PlanGeneralBranch(generalBranches.Dequeue(), compounds.Dequeue()));
                        break;
                    case OrgKind.Branch:
                        var members = AddBranch(code, RootCode, $"{def.Street}社区党支部", i + 1,
                            rng.Next(32, 49), Profile.WholeCommunity);
                        AssignBranchRoles(code, members); // its secretary is the community's secretary
                        break;
                    default:
                        throw new InvalidOperationException($"no community of kind {def.Kind}");
                }
            }

            AssignInspectors(staff);
            return new SeedPlan(orgs.ToArray(), people.Select(p => p.ToSeed()).ToArray());
        }

        // -- shape plans --

        /// <summary>社区党委: 4–6 residential branches (one maybe oversized) plus its 两新 joint branches; 150–300 members.</summary>
        private List<BranchPlan> PlanCommittee(string street, int count, string compound, int jointCount, bool withOversized)
        {
            var joint = Shuffled(BusinessAreas).Take(jointCount)
                .Select(area => new BranchPlan($"{street}{area}非公企业联合党支部", rng.Next(6, 21), Profile.Joint))
                .ToList();
            var total = rng.Next(190, 261) + (withOversized ? 30 : 0);
            var plans = PlanResidential(count, compound, withOversized, joint.Sum(b => b.Size), total);
            plans.AddRange(joint);
            return plans;
        }

        /// <summary>社区党总支: 3–4 branches, 80–150 members.</summary>
        private List<BranchPlan> PlanGeneralBranch(int count, string compound) =>
            PlanResidential(count, compound, false, 0, count == 3 ? rng.Next(85, 121) : rng.Next(105, 146));

        /// <summary>
        /// Residential branches: the retirees' branch gets 16–30 members, an oversized compound 62–113, and the
        /// other branches share out what is left of <paramref name="total"/> once <paramref name="others"/>
        /// (members of the community's joint branches) are counted: 22–50 each on average, 15–50 each.
        /// </summary>
        private List<BranchPlan> PlanResidential(int count, string compound, bool oversized, int others, int total)
        {
            var retirees = rng.Next(16, 31);
            var big = oversized ? rng.Next(62, 114) : 0;
            var shared = count - 1 - (oversized ? 1 : 0);
            var rest = Math.Clamp(total - retirees - big - others, shared * 22, shared * 50);
            var sizes = new Queue<int>(Split(rest, shared, 15, 50));

            return ResidentialNames(count, compound)
                .Select(n => new BranchPlan(n.Name, n.Profile switch
                {
                    Profile.Retirees => retirees,
                    Profile.Compound when oversized => big,
                    _ => sizes.Dequeue(),
                }, n.Profile))
                .ToList();
        }

        /// <summary>Grid branches first, then the compound's 楼院 branch, then the retirees.</summary>
        private static List<(string Name, Profile Profile)> ResidentialNames(int count, string compound)
        {
            var names = Enumerable.Range(0, count - 2)
                .Select(i => ($"第{Ordinals[i]}网格党支部", Profile.Grid))
                .ToList();
            names.Add(($"{compound}楼院党支部", Profile.Compound));
            names.Add(("离退休党支部", Profile.Retirees));
            return names;
        }

        // -- orgs and members --

        private void AddCommunity(string code, List<BranchPlan> branches)
        {
            var everyone = new List<Person>();
            for (var i = 0; i < branches.Count; i++)
            {
                var b = branches[i];
                var branchCode = $"{code}-B{i + 1:D2}";
                var members = AddBranch(branchCode, code, b.Name, i + 1, b.Size, b.Profile);
                AssignBranchRoles(branchCode, members);
                everyone.AddRange(members);
            }

            // The community's own secretary: a full-time community worker in mid career.
            var secretary = Pick(everyone,
                p => p.IsFull && !p.Mobile && !p.Retired && p.Age is >= 35 and <= 58 && p.IsPlain,
                p => p.IsFull && !p.Mobile && p.IsPlain,
                p => p.IsFull);
            secretary.Roles.Add(new SeedRole(Roles.Secretary, code));
        }

        /// <summary>A branch and its members; a branch of more than 20 gets 2–4 party groups to hold them.</summary>
        private List<Person> AddBranch(string code, string parentCode, string name, int sortOrder, int size, Profile profile)
        {
            orgs.Add(new SeedOrg(code, parentCode, OrgKind.Branch, name, sortOrder));

            var groups = size switch
            {
                <= 20 => 0,
                <= 32 => 2,
                <= 50 => rng.Next(2, 4),
                _ => 4,
            };
            var groupCodes = new string[groups];
            for (var g = 0; g < groups; g++)
            {
                groupCodes[g] = $"{code}-G{g + 1}";
                orgs.Add(new SeedOrg(groupCodes[g], code, OrgKind.PartyGroup, $"第{Ordinals[g]}党小组", g + 1));
            }

            var members = new List<Person>(size);
            for (var i = 0; i < size; i++)
                members.Add(AddPerson(groups == 0 ? code : groupCodes[i * groups / size], profile));
            return members;
        }

        /// <summary>6–8 people of the subdistrict party-building office, placed at the root.</summary>
        private List<Person> AddOffice()
        {
            var staff = new List<Person>();
            for (int i = 0, n = rng.Next(6, 9); i < n; i++)
            {
                var p = AddPerson(RootCode, Profile.Office);
                p.Roles.Add(new SeedRole(Roles.Staff, RootCode));
                staff.Add(p);
            }
            return staff;
        }

        private Person AddPerson(string orgCode, Profile profile)
        {
            var sex = rng.NextDouble() < FemaleShare(profile) ? Sex.Female : Sex.Male;
            var age = Draw(AgeBands[profile]);
            var birth = AsOf.AddYears(-age).AddDays(-rng.Next(0, 365));

            var retired = profile switch
            {
                Profile.Joint or Profile.Office => false,
                Profile.Retirees => true,
                _ => (sex, age) switch
                {
                    (Sex.Male, >= 60) or (Sex.Female, >= 55) => true,
                    (Sex.Male, >= 55) => rng.NextDouble() < 0.08,
                    (Sex.Female, >= 50) => rng.NextDouble() < 0.2,
                    (Sex.Female, >= 45) => rng.NextDouble() < 0.05,
                    _ => false,
                },
            };

            // 流动党员: mostly people of working age who work away from home.
            var mobile = profile != Profile.Office && rng.NextDouble() < (retired, age) switch
            {
                (true, _) => 0.02,
                (false, <= 55) => profile == Profile.Joint ? 0.12 : 0.17,
                _ => 0.05,
            };

            var probationary = profile != Profile.Office && !retired && age <= 40 && rng.NextDouble() < 0.07;
            DateOnly joined;
            if (probationary)
            {
                joined = AsOf.AddDays(-rng.Next(20, 360));
            }
            else
            {
                var joinAge = Math.Min(Draw(JoinAgeBands), age - 1);
                joined = birth.AddYears(joinAge).AddDays(rng.Next(0, 365));
                var latest = AsOf.AddDays(-366); // a full member has finished a year's probation
                if (joined > latest)
                    joined = latest.AddDays(-rng.Next(0, 3 * 365));
                var earliest = birth.AddYears(18);
                if (joined < earliest)
                    joined = earliest.AddDays(rng.Next(0, 365));
                if (joined > latest)
                    joined = latest;
            }

            var person = new Person
            {
                Code = $"M{people.Count + 1:D6}",
                OrgCode = orgCode,
                Name = DrawName(sex, birth.Year),
                Sex = sex,
                BirthDate = birth,
                JoinedOn = joined,
                Status = probationary ? MemberStatus.Probationary : MemberStatus.Full,
                Phone = DrawPhone(),
                Retired = retired,
                Mobile = mobile,
            };
            person.Roles.Add(new SeedRole(Roles.Member, orgCode));
            people.Add(person);
            return person;
        }

        // -- roles --

        /// <summary>One secretary and one party-affairs worker; a committee of 3–5 from 7 full members up.</summary>
        private void AssignBranchRoles(string branchCode, List<Person> members)
        {
            var secretary = Pick(members,
                p => p.IsFull && !p.Mobile && p.Age is >= 30 and <= 68 && p.IsPlain,
                p => p.IsFull && !p.Mobile && p.IsPlain,
                p => p.IsFull && p.IsPlain,
                p => p.IsPlain);
            secretary.Roles.Add(new SeedRole(Roles.Secretary, branchCode));

            var worker = Pick(members,
                p => p.IsFull && !p.Mobile && p.Age is >= 25 and <= 62 && p.IsPlain,
                p => p.IsFull && !p.Mobile && p.IsPlain,
                p => p.IsPlain);
            worker.Roles.Add(new SeedRole(Roles.Worker, branchCode));

            if (members.Count(p => p.IsFull) < 7)
                return;
            var others = Shuffled(members.Where(p => p != secretary && p.IsFull && !p.Mobile))
                .Concat(Shuffled(members.Where(p => p != secretary && p.IsFull && p.Mobile)))
                .Take(rng.Next(3, 6) - 1);
            foreach (var p in others.Prepend(secretary))
                p.Roles.Add(new SeedRole(Roles.Committee, branchCode));
        }

        /// <summary>巡查员: one from the office, the rest experienced older members from the communities.</summary>
        private void AssignInspectors(List<Person> staff)
        {
            var count = rng.Next(3, 6);
            var chosen = new List<Person> { staff[rng.Next(staff.Count)] };
            chosen.AddRange(Shuffled(people.Where(p =>
                    p.OrgCode != RootCode && p.IsFull && !p.Mobile && p.Age is >= 55 and <= 70 && p.IsPlain))
                .Take(count - 1));
            foreach (var p in chosen)
                p.Roles.Add(new SeedRole(Roles.Inspector, RootCode));
        }

        // -- random helpers --

        private Person Pick(List<Person> pool, params Func<Person, bool>[] preferences)
        {
            foreach (var fits in preferences)
            {
                var candidates = pool.Where(fits).ToList();
                if (candidates.Count > 0)
                    return candidates[rng.Next(candidates.Count)];
            }
            throw new InvalidOperationException("no member fits the role");
        }

        private List<T> Shuffled<T>(IEnumerable<T> items)
        {
            var list = items.ToList();
            for (var i = list.Count - 1; i > 0; i--)
            {
                var j = rng.Next(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
            return list;
        }

        private int Draw(Band[] bands)
        {
            var roll = rng.Next(bands.Sum(b => b.Weight));
            foreach (var b in bands)
            {
                if (roll < b.Weight)
                    return rng.Next(b.Low, b.High + 1);
                roll -= b.Weight;
            }
            throw new InvalidOperationException("unreachable");
        }

        /// <summary><paramref name="total"/> split into <paramref name="count"/> uneven parts within [low, high].</summary>
        private int[] Split(int total, int count, int low, int high)
        {
            var weights = Enumerable.Range(0, count).Select(_ => 0.6 + rng.NextDouble() * 0.8).ToArray();
            var sum = weights.Sum();
            var parts = weights.Select(w => Math.Clamp((int)Math.Round(total * w / sum), low, high)).ToArray();
            for (var diff = total - parts.Sum(); diff != 0;)
            {
                var i = rng.Next(count);
                var step = Math.Sign(diff);
                if (parts[i] + step < low || parts[i] + step > high)
                    continue;
                parts[i] += step;
                diff -= step;
            }
            return parts;
        }

        /// <summary><paramref name="total"/> items over <paramref name="slots"/>, each getting between min and max.</summary>
        private int[] Spread(int total, int slots, int min, int max)
        {
            var counts = Enumerable.Repeat(min, slots).ToArray();
            for (var left = total - min * slots; left > 0;)
            {
                var i = rng.Next(slots);
                if (counts[i] < max)
                {
                    counts[i]++;
                    left--;
                }
            }
            return counts;
        }

        private string DrawName(Sex sex, int birthYear)
        {
            var roll = rng.Next(Surnames.Sum(s => s.Weight));
            var surname = Surnames[^1].Surname;
            foreach (var (s, w) in Surnames)
            {
                if (roll < w)
                {
                    surname = s;
                    break;
                }
                roll -= w;
            }

            var pool = (birthYear, sex) switch
            {
                ( < 1960, Sex.Male) => OldMen,
                ( < 1960, _) => OldWomen,
                ( < 1985, Sex.Male) => MiddleMen,
                ( < 1985, _) => MiddleWomen,
                (_, Sex.Male) => YoungMen,
                _ => YoungWomen,
            };
            var names = rng.NextDouble() < pool.SingleShare ? pool.Single : pool.Double;
            return surname + names[rng.Next(names.Length)];
        }

        private string DrawPhone()
        {
            while (true)
            {
                var phone = PhonePrefixes[rng.Next(PhonePrefixes.Length)] +
                            rng.Next(0, 100_000_000).ToString("D8", CultureInfo.InvariantCulture);
                if (phones.Add(phone))
                    return phone;
            }
        }
    }
}
