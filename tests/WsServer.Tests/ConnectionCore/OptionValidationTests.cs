using WsServer.Hosting;
using WsServer.Protocol.Compression;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;

namespace WsServer.Tests.ConnectionCore;

/// <summary>Every option is checked when the route is mapped or the server created, and the error
/// names the option: nothing bad is found only after a 101.</summary>
public sealed class OptionValidationTests
{
    public static TheoryData<string, WebSocketRouteOptions> BadRouteOptions => new()
    {
        { "MaxMessageSize", new WebSocketRouteOptions { MaxMessageSize = -1 } },
        { "MaxMessageSize", new WebSocketRouteOptions { MaxMessageSize = 0 } },
        { "Subprotocols", new WebSocketRouteOptions { Subprotocols = ["chat v2"] } },
        { "Subprotocols", new WebSocketRouteOptions { Subprotocols = [""] } },
        { "AllowedOrigins", new WebSocketRouteOptions { AllowedOrigins = [" "] } },
        { "Compression", new WebSocketRouteOptions { Compression = PerMessageDeflateOptions.Default with { CompressionLevel = 12 } } },
    };

    [Theory]
    [MemberData(nameof(BadRouteOptions))]
    public void ABadRouteOptionFailsWhenTheRouteIsMappedAndIsNamed(string option, WebSocketRouteOptions options)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new RouteTable().Map("/x", new EchoHandler(), options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains($"WebSocketRouteOptions.{option} of route '/x'", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<ServerOptions>> BadServerOptions => new()
    {
        { "Workers", o => o.Workers = 0 },
        { "ListenBacklog", o => o.ListenBacklog = 0 },
        { "MaxMessageSize", o => o.MaxMessageSize = -5 },
        { "SendQueueLimit", o => o.SendQueueLimit = 0 },
        { "HandshakeTimeout", o => o.HandshakeTimeout = TimeSpan.Zero },
        { "CloseTimeout", o => o.CloseTimeout = TimeSpan.FromSeconds(-1) },
        { "DrainTimeout", o => o.DrainTimeout = TimeSpan.FromSeconds(-1) },
        { "KeepAliveInterval", o => o.KeepAliveInterval = TimeSpan.FromSeconds(-1) },
        { "PongTimeout", o => o.PongTimeout = TimeSpan.FromMilliseconds(-5) },
        { "IdleTimeout", o => o.IdleTimeout = TimeSpan.FromSeconds(-2) },
        { "Compression", o => o.Compression = PerMessageDeflateOptions.Default with { MemoryLevel = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadServerOptions))]
    public void ABadServerOptionFailsWhenTheServerIsCreatedAndIsNamed(string option, Action<ServerOptions> spoil)
    {
        var options = new ServerOptions { Port = 0 }.UseHandler(new EchoHandler());
        spoil(options);

        var error = Assert.ThrowsAny<ArgumentException>(() => new WebSocketServer(options));

        Assert.Equal(option, error.ParamName);
        Assert.Contains($"ServerOptions.{option}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task ZeroOrInfiniteTurnsKeepAliveIdleAndPongTimeoutsOffAsConfigurationDoes(int milliseconds)
    {
        TimeSpan off = TimeSpan.FromMilliseconds(milliseconds);
        var options = new ServerOptions { Port = 0, KeepAliveInterval = off, IdleTimeout = off, PongTimeout = off }
            .UseHandler(new EchoHandler());

        await using var server = new WebSocketServer(options);
        Assert.Equal(0, server.ConnectionCount);
    }

    [Fact]
    public async Task InfiniteKeepAliveAndIdleTimeoutAreAllowed()
    {
        var options = new ServerOptions { Port = 0, KeepAliveInterval = Timeout.InfiniteTimeSpan, IdleTimeout = Timeout.InfiniteTimeSpan }
            .UseHandler(new EchoHandler());

        await using var server = new WebSocketServer(options);
        Assert.Equal(0, server.ConnectionCount);
    }
}
