using WxQms.Domain.Model;
using WxQms.Domain.Storage;

namespace WxQms.Domain.Services.Members;

/// <summary>A member with the branch she belongs to, for the services that read her record or check-up.</summary>
public static class MemberLookup
{
    /// <summary>The member and her branch; <see cref="NotFoundException"/> (<c>member.not_found</c>) when either is missing.</summary>
    public static async Task<(Member Member, Org Org)> WithBranchAsync(this MemberStore members, OrgStore orgs, long memberId,
        CancellationToken ct)
    {
        var member = await members.GetAsync(memberId, ct);
        var org = member is null ? null : await orgs.GetAsync(member.OrgId, ct);
        if (member is null || org is null)
            throw new NotFoundException($"党员 {memberId} 不存在", "member.not_found");
        return (member, org);
    }
}
