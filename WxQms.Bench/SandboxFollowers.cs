using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MySqlConnector;

namespace WxQms.Bench;

/// <summary>
/// Followers of the sandbox's official account who are members, linked in <c>wechat_users</c> as binding would link
/// them: the recipients of the sender benchmarks' reminders.
/// </summary>
internal static class SandboxFollowers
{
    private const string OaAppId = "wx5a4db0c0a0000001"; // appsettings.Sandbox.json (not a secret)

    /// <summary>At least <paramref name="needed"/> followers (fewer when the sandbox has fewer), linked.</summary>
    public static async Task<List<(string OpenId, long MemberId)>> LinkAsync(HttpClient sandboxApi, MySqlDataSource db, int needed)
    {
        var followers = new List<(string OpenId, long MemberId)>();
        for (var offset = 0; followers.Count < needed; offset += 500)
        {
            var page = await sandboxApi.GetFromJsonAsync<JsonElement>($"sandbox/wechat/users?follows=true&limit=500&offset={offset}");
            var users = page.GetProperty("users").EnumerateArray().ToList();
            if (users.Count == 0)
                break;
            followers.AddRange(users.Where(u => u.GetProperty("memberId").ValueKind == JsonValueKind.Number)
                .Select(u => (u.GetProperty("openid").GetString()!, u.GetProperty("memberId").GetInt64())));
        }
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO wechat_users (app_id, openid, member_id, subscribed, created_at, updated_at)
            VALUES (@OaAppId, @OpenId, @MemberId, TRUE, NOW(6), NOW(6))
            ON DUPLICATE KEY UPDATE member_id = VALUES(member_id), subscribed = TRUE
            """, followers.Select(f => new { OaAppId, f.OpenId, f.MemberId }));
        return followers;
    }
}
