using Microsoft.Extensions.Configuration;
using WsServer.Protocol.Closing;
using WsServer.Routing;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>A route's lifetime from configuration: a duration and a close code over what code gave; off takes a
/// lifetime code gave away; a bad value names its key.</summary>
public sealed class RouteLifetimeConfigurationTests
{
    private static ConfiguredRoute Read(params (string Key, string Value)[] values) =>
        ConfiguredRoute.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>($"WsServer:Routes:/chat:{v.Key}", v.Value)))
            .Build().GetSection("WsServer:Routes:/chat"));

    [Fact]
    public void ADurationAndACodeSetTheRoutesLifetime()
    {
        WebSocketRouteOptions options = Read(("MaxLifetime", "3600"), ("LifetimeCloseCode", "1012")).ApplyTo(WebSocketRouteOptions.Default);

        Assert.Equal(TimeSpan.FromHours(1), options.MaxLifetime);
        Assert.Equal(CloseCode.ServiceRestart, options.LifetimeCloseCode);
    }

    [Fact]
    public void OffTakesAwayALifetimeCodeGaveAndAbsentKeysKeepIt()
    {
        var code = new WebSocketRouteOptions { MaxLifetime = TimeSpan.FromMinutes(5) };

        Assert.Null(Read(("MaxLifetime", "off")).ApplyTo(code).MaxLifetime);
        Assert.Equal(TimeSpan.FromMinutes(5), Read(("Handler", "echo")).ApplyTo(code).MaxLifetime);
    }

    [Fact]
    public void ABadLifetimeNamesItsKey()
    {
        var error = Assert.Throws<WsServerConfigurationException>(() => Read(("MaxLifetime", "soon")));
        Assert.Equal("WsServer:Routes:/chat:MaxLifetime", error.Key);
    }
}
