using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Transfers;

/// <summary>The members the transfer tests move: plain full members of a branch with no transfer yet.</summary>
public static class Movers
{
    /// <summary>A plain full member (no role) of a branch with no transfer on record, the n-th.</summary>
    public static Task<long> PlainMemberAsync(string branchCode, int offset) => ScalarAsync("""
        SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id JOIN orgs b ON b.code = @branchCode
        WHERE o.path LIKE CONCAT(b.path, '%') AND m.status = 'full'
          AND NOT EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = m.id AND r.role <> 'member')
          AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.member_id = m.id)
        ORDER BY m.id LIMIT 1 OFFSET @offset
        """, new { branchCode, offset });
}
