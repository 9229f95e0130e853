using StackExchange.Redis;
using WxQms.Domain.Caching;

namespace WxQms.Tests.Infrastructure;

/// <summary>What the test infrastructure's reset forgets: the data, and what the shared app remembered of it.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class ResetTests(WxQmsApp app)
{
    [Fact]
    public async Task A_token_version_the_app_remembered_before_a_reset_is_forgotten_with_the_database()
    {
        const long member = 987_654_321; // nobody: the empty database says version 0
        await app.ResetAsync();
        var redis = await ConnectionMultiplexer.ConnectAsync(TestEnvironment.Redis);
        await redis.GetDatabase().StringSetAsync(RedisKeys.TokenVersion(member), 5, TimeSpan.FromMinutes(5));
        var versions = app.Get<TokenVersions>();
        Assert.False(await versions.IsCurrentAsync(member, 0)); // remembered in process: version 5

        await app.ResetAsync();

        Assert.True(await versions.IsCurrentAsync(member, 0));
        await redis.DisposeAsync();
    }
}
