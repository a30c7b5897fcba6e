using Microsoft.Extensions.Configuration;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Redis;
using WsServer.Routing;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>Rate limits from configuration: the server's, per address and a route's, as sections; off for none;
/// a bad key named.</summary>
public sealed class RateLimitConfigurationTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>($"WsServer:{v.Key}", v.Value)))
            .Build().GetSection("WsServer");

    [Fact]
    public void TheServersLimitsAreSectionsOfRatesBurstsAndAPolicy()
    {
        var options = new ServerOptions();
        RedisBackplaneOptions? redis = null;

        ServerConfiguration.Apply(Section(("RateLimit:MessagesPerSecond", "5"), ("RateLimit:MessageBurst", "10"), ("RateLimit:OnExcess", "Pause"),
            ("RateLimitPerIp:BytesPerSecond", "1048576"), ("ConnectionsPerSecondPerIp", "3")), options, ref redis);

        Assert.Equal(new MessageRateLimit { MessagesPerSecond = 5, MessageBurst = 10, OnExcess = RateLimitExcess.Pause }, options.RateLimit);
        Assert.Equal(new MessageRateLimit { BytesPerSecond = 1048576 }, options.RateLimitPerIp);
        Assert.Equal(3, options.ConnectionsPerSecondPerIp);
    }

    [Fact]
    public void ARoutesLimitIsASectionAndOffTakesAwayCodes()
    {
        var code = new WebSocketRouteOptions { RateLimit = new MessageRateLimit { MessagesPerSecond = 1 } };

        ConfiguredRoute limited = ConfiguredRoute.Read(Section(("Routes:/chat:RateLimit:MessagesPerSecond", "50")).GetSection("Routes:/chat"));
        ConfiguredRoute off = ConfiguredRoute.Read(Section(("Routes:/chat:RateLimit", "off")).GetSection("Routes:/chat"));

        Assert.Equal(50, limited.ApplyTo(code).RateLimit!.MessagesPerSecond);
        Assert.Null(off.ApplyTo(code).RateLimit);
    }

    [Fact]
    public void AnUnknownKeyOfALimitIsNamed()
    {
        var options = new ServerOptions();
        RedisBackplaneOptions? redis = null;

        var error = Assert.Throws<WsServerConfigurationException>(() =>
            ServerConfiguration.Apply(Section(("RateLimit:MessagesPerMinute", "5")), options, ref redis));

        Assert.Equal("WsServer:RateLimit:MessagesPerMinute", error.Key);
    }
}
