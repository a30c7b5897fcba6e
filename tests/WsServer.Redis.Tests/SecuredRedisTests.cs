using System.Net.WebSockets;
using StackExchange.Redis;
using WsServer.Redis.Tests.TestSupport;

namespace WsServer.Redis.Tests;

/// <summary>The Redis a production runs: a password, an ACL user, TLS; given as a configuration string, a
/// URL or a connection the application has. A wrong password is one clear line that names the endpoint
/// and never the secret.</summary>
public sealed class SecuredRedisTests
{
    public static TheoryData<string> Credentials => ["password", "acl user", "url"];

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task NodesShareTopicsThroughARedisThatNeedsCredentials(string how)
    {
        await using SecuredRedis redis = await SecuredRedis.StartAsync();
        string configuration = how switch
        {
            "password" => redis.PasswordConfiguration,
            "acl user" => redis.UserConfiguration,
            _ => $"redis://{SecuredRedis.User}:{SecuredRedis.UserPassword}@{redis.Address}/0",
        };

        await AssertSharedAsync(new RedisBackplaneOptions { Configuration = configuration });
    }

    [Fact]
    public async Task AWrongPasswordIsOneLineNamingTheEndpointAndNotTheSecret()
    {
        await using SecuredRedis redis = await SecuredRedis.StartAsync();
        var logs = new RecordedLogs();
        await using Node a = await Node.StartAsync($"{redis.Address},password=wrong-secret", "a", Node.Prefix(), logs: logs);

        Assert.False(a.Backplane.IsConnected);
        await Timeouts.Eventually(() => logs.Has(508));
        // A second line could only follow a later refusal: the node retries by itself, and Redis refuses it
        // twice more (the first of them has been handled by the time the next is made).
        long refusedBefore = await redis.RefusedLoginsAsync();
        await Timeouts.Eventually(async () => await redis.RefusedLoginsAsync() >= refusedBefore + 2);
        (int EventId, string Message) refused = Assert.Single(logs.Entries, e => e.EventId == 508);
        Assert.Contains(redis.Address, refused.Message, StringComparison.Ordinal);
        Assert.Contains("AuthenticationFailure", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", refused.Message, StringComparison.Ordinal);
        Assert.All(logs.Entries, e => Assert.DoesNotContain("wrong-secret", e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain("wrong-secret", a.Backplane.RedisName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUntrustedRedisCertificateIsATlsLineNotACredentialsOne()
    {
        await using TlsRedis redis = await TlsRedis.StartAsync();
        var logs = new RecordedLogs();
        await using Node a = await Node.StartAsync(redis.Configuration, "a", Node.Prefix(), logs: logs);

        await Timeouts.Eventually(() => logs.Has(509));
        Assert.False(a.Backplane.IsConnected);
        Assert.Contains("UntrustedRoot", logs.Entries.First(e => e.EventId == 509).Message, StringComparison.Ordinal);
        Assert.False(logs.Has(508));
    }

    [Theory]
    [InlineData("configuration")]
    [InlineData("url")]
    public async Task NodesShareTopicsThroughRedisOverTls(string how)
    {
        await using TlsRedis redis = await TlsRedis.StartAsync();
        string configuration = how == "url" ? $"rediss://localhost:{redis.Redis.Port}" : redis.Configuration;

        await AssertSharedAsync(new RedisBackplaneOptions
        {
            Configuration = configuration,
            ConfigureConnection = o => o.TrustIssuer(redis.CaCertificate),
        });
    }

    [Fact]
    public async Task NodesFindTheirRedisThroughASentinel()
    {
        await using SentinelRedis redis = await SentinelRedis.StartAsync();

        await AssertSharedAsync(new RedisBackplaneOptions { Configuration = redis.Configuration });
    }

    [Fact]
    public async Task AConnectionTheApplicationHasIsUsedAndLeftOpen()
    {
        await using TlsRedis redis = await TlsRedis.StartAsync();
        ConfigurationOptions tls = ConfigurationOptions.Parse(redis.Configuration);
        tls.TrustIssuer(redis.CaCertificate);
        await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(tls);

        await AssertSharedAsync(new RedisBackplaneOptions { Connection = connection });

        Assert.True(connection.IsConnected);
        Assert.Equal("PONG", (string?)await connection.GetDatabase().ExecuteAsync("PING"));
    }

    // Two nodes on these options: a publish on one reaches a subscriber of the other.
    private static async Task AssertSharedAsync(RedisBackplaneOptions options)
    {
        string prefix = Node.Prefix();
        var logs = new RecordedLogs();
        await using Node a = await Node.StartAsync(With(options, "a", prefix), logs: logs);
        await using Node b = await Node.StartAsync(With(options, "b", prefix));
        Assert.True(a.Backplane.IsConnected, string.Join("\n", logs.Entries));
        (ClientWebSocket onB, _) = await b.ConnectAsync();

        a.Publish("across");

        Assert.Equal("across", await Node.ReceiveTextAsync(onB));
        Assert.Contains(logs.Entries, e => e.EventId == 500);
        onB.Dispose();
    }

    private static RedisBackplaneOptions With(RedisBackplaneOptions options, string nodeId, string prefix) =>
        options with { NodeId = nodeId, ChannelPrefix = prefix };
}
