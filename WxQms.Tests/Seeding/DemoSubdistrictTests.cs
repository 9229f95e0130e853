using System.Text.Json;
using WxQms.Domain.Model;
using WxQms.Sandbox.Seeding;

namespace WxQms.Tests.Seeding;

public sealed class DemoSubdistrictTests
{
    private static readonly SeedPlan Plan = DemoSubdistrict.Build();
    private static readonly DateOnly AsOf = DemoSubdistrict.AsOf;

    private static readonly Dictionary<string, SeedOrg> OrgsByCode = Plan.Orgs.ToDictionary(o => o.Code);

    private static IEnumerable<SeedOrg> Branches => Plan.Orgs.Where(o => o.Kind == OrgKind.Branch);

    private static bool IsWithin(string orgCode, string ancestorCode)
    {
        for (string? code = orgCode; code is not null; code = OrgsByCode[code].ParentCode)
        {
            if (code == ancestorCode)
                return true;
        }
        return false;
    }

    private static IEnumerable<SeedMember> MembersWithin(string orgCode) =>
        Plan.Members.Where(m => IsWithin(m.OrgCode, orgCode));

    private static int AgeOn(DateOnly birth, DateOnly on)
    {
        var age = on.Year - birth.Year;
        return birth > on.AddYears(-age) ? age - 1 : age;
    }

    private static double Share(Func<SeedMember, bool> predicate) =>
        100.0 * Plan.Members.Count(predicate) / Plan.Members.Count;

    private static SeedMember[] Holders(string role, string orgCode) =>
        Plan.Members.Where(m => m.Roles.Contains(new SeedRole(role, orgCode))).ToArray();

    [Fact]
    public void Builds_the_same_plan_every_time()
    {
        var first = JsonSerializer.Serialize(DemoSubdistrict.Build());
        var second = JsonSerializer.Serialize(DemoSubdistrict.Build());

        Assert.Equal(first, second);
        Assert.True(first.Length > 100_000);
    }

    [Fact]
    public void The_root_is_the_dongfeng_road_working_committee_and_comes_first()
    {
        var root = Plan.Orgs[0];

        Assert.Equal(("DFL", null, OrgKind.Subdistrict, "东风路街道党工委"), (root.Code, root.ParentCode, root.Kind, root.Name));
        Assert.Single(Plan.Orgs, o => o.ParentCode is null);
    }

    [Fact]
    public void Has_sixteen_community_organisations_directly_under_the_root()
    {
        var communities = Plan.Orgs.Where(o => o.ParentCode == "DFL").ToArray();

        Assert.Equal(16, communities.Length);
        Assert.Equal(4, communities.Count(c => c.Kind == OrgKind.CommunityCommittee));
        Assert.Equal(8, communities.Count(c => c.Kind == OrgKind.GeneralBranch));
        Assert.Equal(4, communities.Count(c => c.Kind == OrgKind.Branch));
        Assert.Equal(Enumerable.Range(1, 16).Select(i => $"DFL-C{i:D2}"), communities.Select(c => c.Code));
    }

    [Fact]
    public void Communities_have_the_sizes_of_their_kind()
    {
        foreach (var c in Plan.Orgs.Where(o => o.ParentCode == "DFL"))
        {
            var members = MembersWithin(c.Code).Count();
            var branches = Plan.Orgs.Count(o => o.ParentCode == c.Code && o.Kind == OrgKind.Branch
                                                && !o.Name.Contains("联合党支部"));
            var (minMembers, maxMembers, minBranches, maxBranches) = c.Kind switch
            {
                OrgKind.CommunityCommittee => (150, 300, 4, 6),
                OrgKind.GeneralBranch => (80, 150, 3, 4),
                _ => (30, 50, 0, 0),
            };
            Assert.InRange(members, minMembers, maxMembers);
            Assert.InRange(branches, minBranches, maxBranches);
        }
    }

    [Fact]
    public void Has_between_55_and_65_branches_including_5_to_10_joint_ones_under_the_committees()
    {
        var joint = Branches.Where(b => b.Name.EndsWith("非公企业联合党支部", StringComparison.Ordinal)).ToArray();

        Assert.InRange(Branches.Count(), 55, 65);
        Assert.InRange(joint.Length, 5, 10);
        Assert.All(joint, b => Assert.Equal(OrgKind.CommunityCommittee, OrgsByCode[b.ParentCode!].Kind));
        Assert.All(joint, b => Assert.InRange(MembersWithin(b.Code).Count(), 5, 20));
    }

    [Fact]
    public void Has_between_1800_and_2500_members()
    {
        Assert.InRange(Plan.Members.Count, 1800, 2500);
    }

    [Fact]
    public void The_member_mix_matches_the_recommended_demo_seed()
    {
        Assert.InRange(Share(m => m.Retired), 35, 45);
        Assert.InRange(Share(m => AgeOn(m.BirthDate, AsOf) >= 61), 30, 40);
        Assert.InRange(Share(m => m.Sex == Sex.Female), 45, 60);
        Assert.InRange(Share(m => m.Mobile), 5, 15);
        Assert.InRange(Share(m => m.Status == MemberStatus.Probationary), 1, 3);
        Assert.All(Plan.Members, m => Assert.Contains(m.Status, new[] { MemberStatus.Full, MemberStatus.Probationary }));
    }

    [Fact]
    public void Ages_run_from_18_to_95()
    {
        Assert.All(Plan.Members, m => Assert.InRange(AgeOn(m.BirthDate, AsOf), 18, 95));
    }

    [Fact]
    public void Everyone_joined_at_18_or_later_and_before_the_reference_date()
    {
        Assert.All(Plan.Members, m =>
        {
            Assert.True(m.JoinedOn >= m.BirthDate.AddYears(18), $"{m.Code} joined before turning 18");
            Assert.True(m.JoinedOn <= AsOf, $"{m.Code} joined after {AsOf}");
        });
    }

    [Fact]
    public void Probationary_members_joined_within_the_last_year_and_full_members_earlier()
    {
        Assert.All(Plan.Members, m =>
        {
            if (m.Status == MemberStatus.Probationary)
                Assert.InRange(m.JoinedOn, AsOf.AddYears(-1), AsOf);
            else
                Assert.True(m.JoinedOn < AsOf.AddYears(-1), $"{m.Code} is full but still within probation");
        });
    }

    [Fact]
    public void Every_code_is_unique_and_readable()
    {
        var orgCodes = Plan.Orgs.Select(o => o.Code).ToArray();
        var memberCodes = Plan.Members.Select(m => m.Code).ToArray();

        Assert.Equal(orgCodes.Length, orgCodes.Distinct().Count());
        Assert.Equal(memberCodes.Length, memberCodes.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, memberCodes.Length).Select(i => $"M{i:D6}"), memberCodes);
        Assert.All(Plan.Orgs.Skip(1), o => Assert.StartsWith(o.ParentCode + "-", o.Code, StringComparison.Ordinal));
        Assert.All(Plan.Orgs, o => Assert.Matches(o.Kind switch
        {
            OrgKind.Subdistrict => "^DFL$",
            OrgKind.PartyGroup => @"^DFL-C\d{2}(-B\d{2})?-G\d$",
            OrgKind.Branch => @"^DFL-C\d{2}(-B\d{2})?$",
            _ => @"^DFL-C\d{2}$",
        }, o.Code));
    }

    [Fact]
    public void Every_phone_is_unique_and_has_11_digits()
    {
        var phones = Plan.Members.Select(m => m.Phone).ToArray();

        Assert.Equal(phones.Length, phones.Distinct().Count());
        Assert.All(phones, p => Assert.Matches("^1[3-9][0-9]{9}$", p));
    }

    [Fact]
    public void Parents_come_before_their_children()
    {
        var seen = new HashSet<string>();
        foreach (var org in Plan.Orgs)
        {
            if (org.ParentCode is not null)
                Assert.Contains(org.ParentCode, seen);
            seen.Add(org.Code);
        }
    }

    [Fact]
    public void Sort_order_is_the_position_among_siblings()
    {
        foreach (var siblings in Plan.Orgs.GroupBy(o => o.ParentCode))
            Assert.Equal(Enumerable.Range(1, siblings.Count()), siblings.Select(o => o.SortOrder));
    }

    [Fact]
    public void Every_org_sits_under_a_kind_that_may_contain_it()
    {
        Assert.All(Plan.Orgs.Skip(1), o =>
        {
            var parent = OrgsByCode[o.ParentCode!].Kind;
            Assert.True((parent, o.Kind) switch
            {
                (OrgKind.Subdistrict, OrgKind.CommunityCommittee or OrgKind.GeneralBranch or OrgKind.Branch) => true,
                (OrgKind.CommunityCommittee or OrgKind.GeneralBranch, OrgKind.Branch) => true,
                (OrgKind.Branch, OrgKind.PartyGroup) => true,
                _ => false,
            }, $"{o.Code} ({o.Kind}) under {parent}");
        });
    }

    [Fact]
    public void Every_group_sits_under_a_branch()
    {
        var groups = Plan.Orgs.Where(o => o.Kind == OrgKind.PartyGroup).ToArray();

        Assert.NotEmpty(groups);
        Assert.All(groups, g => Assert.Equal(OrgKind.Branch, OrgsByCode[g.ParentCode!].Kind));
    }

    [Fact]
    public void Branches_over_20_members_have_2_to_4_groups_that_hold_all_their_members()
    {
        foreach (var branch in Branches)
        {
            var size = MembersWithin(branch.Code).Count();
            var groups = Plan.Orgs.Count(o => o.ParentCode == branch.Code);
            var direct = Plan.Members.Count(m => m.OrgCode == branch.Code);
            if (size > 20)
            {
                Assert.InRange(groups, 2, 4);
                Assert.Equal(0, direct);
            }
            else
            {
                Assert.Equal(0, groups);
            }
        }
    }

    [Fact]
    public void No_branch_has_more_than_115_members_and_only_a_few_more_than_50()
    {
        var sizes = Branches.Select(b => MembersWithin(b.Code).Count()).ToArray();

        Assert.All(sizes, s => Assert.InRange(s, 5, 115));
        Assert.InRange(sizes.Count(s => s > 50), 2, 3);
        Assert.All(sizes.Where(s => s > 50), s => Assert.InRange(s, 60, 115));
    }

    [Fact]
    public void Members_sit_in_branches_or_groups_except_office_staff_at_the_root()
    {
        Assert.All(Plan.Members, m =>
        {
            var kind = OrgsByCode[m.OrgCode].Kind;
            Assert.True(kind is OrgKind.Branch or OrgKind.PartyGroup || m.OrgCode == "DFL", $"{m.Code} sits in {kind}");
        });
        var atRoot = Plan.Members.Where(m => m.OrgCode == "DFL").ToArray();
        Assert.InRange(atRoot.Length, 6, 8);
        Assert.All(atRoot, m => Assert.Contains(new SeedRole(Roles.Staff, "DFL"), m.Roles));
    }

    [Fact]
    public void Every_member_is_a_member_of_their_own_org_and_holds_no_role_twice()
    {
        Assert.All(Plan.Members, m =>
        {
            Assert.Contains(new SeedRole(Roles.Member, m.OrgCode), m.Roles);
            Assert.Equal(m.Roles.Count, m.Roles.Distinct().Count());
            Assert.All(m.Roles, r => Assert.Contains(r.Role, Roles.All));
            Assert.All(m.Roles, r => Assert.True(OrgsByCode.ContainsKey(r.OrgCode), r.OrgCode));
        });
    }

    [Fact]
    public void Every_branch_has_one_secretary_and_one_different_worker_from_its_own_members()
    {
        Assert.All(Branches, b =>
        {
            var secretary = Assert.Single(Holders(Roles.Secretary, b.Code));
            var worker = Assert.Single(Holders(Roles.Worker, b.Code));
            Assert.NotEqual(secretary.Code, worker.Code);
            Assert.True(IsWithin(secretary.OrgCode, b.Code), $"secretary of {b.Code} sits in {secretary.OrgCode}");
            Assert.True(IsWithin(worker.OrgCode, b.Code), $"worker of {b.Code} sits in {worker.OrgCode}");
            Assert.Equal(MemberStatus.Full, secretary.Status);
        });
    }

    [Fact]
    public void Branches_with_7_full_members_have_a_committee_of_3_to_5_including_the_secretary()
    {
        Assert.All(Branches, b =>
        {
            var committee = Holders(Roles.Committee, b.Code);
            if (MembersWithin(b.Code).Count(m => m.Status == MemberStatus.Full) >= 7)
            {
                Assert.InRange(committee.Length, 3, 5);
                Assert.Contains(Assert.Single(Holders(Roles.Secretary, b.Code)), committee);
                Assert.All(committee, m => Assert.True(IsWithin(m.OrgCode, b.Code)));
            }
            else
            {
                Assert.Empty(committee);
            }
        });
    }

    [Fact]
    public void Every_community_has_one_secretary_from_its_own_members()
    {
        Assert.All(Plan.Orgs.Where(o => o.ParentCode == "DFL"), c =>
        {
            var secretary = Assert.Single(Holders(Roles.Secretary, c.Code));
            Assert.True(IsWithin(secretary.OrgCode, c.Code));
        });
    }

    [Fact]
    public void The_root_has_office_staff_and_inspectors_but_no_other_roles()
    {
        var staff = Holders(Roles.Staff, "DFL");
        var inspectors = Holders(Roles.Inspector, "DFL");

        Assert.InRange(staff.Length, 6, 8);
        Assert.All(staff, m => Assert.Equal("DFL", m.OrgCode));
        Assert.InRange(inspectors.Length, 3, 5);
        Assert.All(Plan.Members.SelectMany(m => m.Roles), r => Assert.True(
            (r.Role is Roles.Staff or Roles.Inspector) == (r.OrgCode == "DFL") || r.Role == Roles.Member,
            $"{r.Role} held at {r.OrgCode}"));
    }

    [Fact]
    public void Names_are_chinese()
    {
        static bool IsCjk(char c) => c is >= '\u4e00' and <= '\u9fff';

        Assert.All(Plan.Members, m => Assert.True(m.Name.Length is 2 or 3 or 4 && m.Name.All(IsCjk), m.Name));
        Assert.All(Plan.Orgs, o => Assert.True(o.Name.All(IsCjk), o.Name));
    }
}
