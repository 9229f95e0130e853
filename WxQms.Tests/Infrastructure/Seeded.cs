using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Infrastructure;

/// <summary>
/// The people and orgs of the seeded demo subdistrict (<see cref="Demo.SeedDemoAsync"/>), found by code and role on
/// <see cref="TestDb"/>: always the first by id, so a class finds the same ones on every run.
/// </summary>
public static class Seeded
{
    public static Task<long> OrgAsync(string code) => ScalarAsync("SELECT id FROM orgs WHERE code = @code", new { code });

    /// <summary>The first holder (by member id) of a role at the org with that code.</summary>
    public static Task<long> HolderAsync(string role, string orgCode) => ScalarAsync("""
        SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id
        WHERE r.role = @role AND o.code = @orgCode ORDER BY r.member_id LIMIT 1
        """, new { role, orgCode });

    /// <summary>The first holder of a role at the org who has a phone number, so can bind in the mini program.</summary>
    public static Task<long> HolderWithPhoneAsync(string role, string orgCode) => ScalarAsync("""
        SELECT r.member_id FROM member_roles r JOIN orgs o ON o.id = r.org_id JOIN members m ON m.id = r.member_id
        WHERE r.role = @role AND o.code = @orgCode AND m.phone IS NOT NULL ORDER BY r.member_id LIMIT 1
        """, new { role, orgCode });

    /// <summary>The first full member of the org with that code or of an org whose code starts with it.</summary>
    public static Task<long> MemberOfAsync(string orgCode) => ScalarAsync("""
        SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
        WHERE o.code LIKE CONCAT(@orgCode, '%') AND m.status = 'full' ORDER BY m.id LIMIT 1
        """, new { orgCode });

    /// <summary>
    /// Plain full members (no role but 党员) of the org and the orgs below it (its party groups), by id from the
    /// <paramref name="skip"/>-th.
    /// </summary>
    public static async Task<long[]> PlainMembersAsync(long orgId, int count, int skip = 0) => (await QueryAsync<long>("""
        SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.id = @orgId
        WHERE o.path LIKE CONCAT(b.path, '%') AND m.status = 'full'
          AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
        ORDER BY m.id LIMIT @count OFFSET @skip
        """, new { orgId, count, skip })).ToArray();

    /// <summary>The <paramref name="skip"/>-th plain full member of the org's subtree (<see cref="PlainMembersAsync"/>).</summary>
    public static async Task<long> PlainMemberAsync(long orgId, int skip = 0) => (await PlainMembersAsync(orgId, 1, skip)).Single();

    /// <summary>The member's code, from which the sandbox derives their WeChat identities.</summary>
    public static Task<string> CodeAsync(long memberId) =>
        QuerySingleAsync<string>("SELECT code FROM members WHERE id = @memberId", new { memberId });
}
