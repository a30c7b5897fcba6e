using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;
using WsServer.Hosting;
using WsServer.Extensions.Hosting.Tests.TestHandlers;
using WsServer.Extensions.Hosting.Tests.TestSupport;
using WsServer.Tests.TestSupport;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>The server's options come from the configuration section "WsServer"; a bad value fails
/// the host's start with an error that names its key.</summary>
public sealed class ConfigurationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ConfigurationSetsThePortAndARouteWithItsOptions()
    {
        using IHost host = TestHost.Build(new()
        {
            ["WsServer:Port"] = "0",
            ["WsServer:Address"] = "127.0.0.1",
            ["WsServer:Routes:/chat:Handler"] = "echo",
            ["WsServer:Routes:/chat:MaxMessageSize"] = "16",
            ["WsServer:Routes:/chat:Subprotocols:0"] = "chat.v2",
            ["WsServer:Routes:/chat:Subprotocols:1"] = "chat.v1",
        }, ws => ws.AddHandler<EchoHandler>("echo"));
        await host.StartAsync(Timeouts.Token());

        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("chat.v1");
        await client.ConnectAsync(host.Uri("/chat"), Timeouts.Token());
        Assert.Equal("chat.v1", client.SubProtocol);
        await client.SendTextAsync("sixteen bytes ok");
        Assert.Equal("sixteen bytes ok", await client.ReceiveTextAsync());
        await client.SendTextAsync("seventeen bytes!!");
        (WebSocketCloseStatus? status, _) = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);

        using var other = new ClientWebSocket();
        await Assert.ThrowsAsync<WebSocketException>(() => other.ConnectAsync(host.Uri("/other"), Timeouts.Token()));
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task AnAppSettingsJsonSectionConfiguresTheServer()
    {
        const string json = """
            {
              "WsServer": {
                "Port": 0,
                "Workers": 10,
                "IdleTimeout": "00:05:00",
                "DrainTimeout": 0.2,
                "Compression": false,
                "Routes": {
                  "/chat": { "Handler": "echo", "Subprotocols": ["chat.v1"] },
                  "/rooms/*": "echo"
                }
              }
            }
            """;
        using IHost host = TestHost.Build([], ws => ws.AddHandler<EchoHandler>("echo"),
            builder => builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        await host.StartAsync(Timeouts.Token());

        using var chat = new ClientWebSocket();
        chat.Options.AddSubProtocol("chat.v1");
        await chat.ConnectAsync(host.Uri("/chat"), Timeouts.Token());
        Assert.Equal("chat.v1", chat.SubProtocol);
        using var room = new ClientWebSocket();
        await room.ConnectAsync(host.Uri("/rooms/lobby"), Timeouts.Token());
        await room.SendTextAsync("in the lobby");

        Assert.Equal("in the lobby", await room.ReceiveTextAsync());
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task ConfigurationWinsOverCodeAndTunesARouteMappedInCode()
    {
        using IHost host = TestHost.Build(new()
        {
            ["WsServer:Port"] = "0",
            ["WsServer:MaxMessageSize"] = "1000",
            ["WsServer:Routes:/small:MaxMessageSize"] = "4",
        }, ws => ws
            .Configure(options => options.MaxMessageSize = 4)
            .MapHandler<EchoHandler>("/big")
            .MapHandler<EchoHandler>("/small"));
        await host.StartAsync(Timeouts.Token());

        using var big = new ClientWebSocket();
        await big.ConnectAsync(host.Uri("/big"), Timeouts.Token());
        await big.SendTextAsync("more than four");
        Assert.Equal("more than four", await big.ReceiveTextAsync());

        using var small = new ClientWebSocket();
        await small.ConnectAsync(host.Uri("/small"), Timeouts.Token());
        await small.SendTextAsync("five!");
        (WebSocketCloseStatus? status, _) = await small.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
        await host.StopAsync(Timeouts.Token());
    }

    [Theory]
    [InlineData("WsServer:Compression", "false")]
    [InlineData("WsServer:Routes:/echo:Compression", "false")]
    public async Task CompressionFalseDeclinesPermessageDeflate(string key, string value)
    {
        using IHost host = TestHost.Build(new() { ["WsServer:Port"] = "0", [key] = value },
            ws => ws.MapHandler<EchoHandler>("/echo"));
        await host.StartAsync(Timeouts.Token());

        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(host.Uri("/echo"), Timeouts.Token());

        Assert.False(client.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        await host.StopAsync(Timeouts.Token());
    }

    [Fact]
    public async Task CompressionIsOnUnlessConfiguredOff()
    {
        using IHost host = TestHost.Build(new() { ["WsServer:Port"] = "0", ["WsServer:Compression"] = "true" },
            ws => ws.MapHandler<EchoHandler>("/echo"));
        await host.StartAsync(Timeouts.Token());

        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(host.Uri("/echo"), Timeouts.Token());

        Assert.True(client.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
        await host.StopAsync(Timeouts.Token());
    }

    [Theory]
    [InlineData("30", 30.0)]
    [InlineData("2.5", 2.5)]
    [InlineData("00:00:30", 30.0)]
    [InlineData("1.00:00:00", 86_400.0)]
    [InlineData("Infinite", -0.001)]
    [InlineData("off", -0.001)]
    [InlineData("0", -0.001)]
    public async Task ATimeoutIsSecondsOrATimeSpan(string value, double seconds)
    {
        var settings = new Dictionary<string, string?>
        {
            ["WsServer:Port"] = "0",
            ["WsServer:KeepAliveInterval"] = value,
            ["WsServer:IdleTimeout"] = value,
            ["WsServer:Routes:/echo:Handler"] = "echo",
        };
        using IHost host = TestHost.Build(settings, ws => ws.AddHandler<EchoHandler>("echo"));

        await host.StartAsync(Timeouts.Token());
        await host.StopAsync(Timeouts.Token());
        ServerOptions options = Read(settings);
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.IdleTimeout);
    }

    /// <summary>0, off and infinite turn off a timeout that may be off; as seconds or a TimeSpan it is that long.</summary>
    [Theory]
    [InlineData("IdleTimeout", "0", -0.001)]
    [InlineData("IdleTimeout", "off", -0.001)]
    [InlineData("KeepAliveInterval", "Off", -0.001)]
    [InlineData("PongTimeout", "infinite", -0.001)]
    [InlineData("PongTimeout", "Infinite", -0.001)]
    [InlineData("IdleTimeout", "00:00:30", 30.0)]
    [InlineData("KeepAliveInterval", "30", 30.0)]
    [InlineData("PongTimeout", "0.5", 0.5)]
    [InlineData("HandshakeTimeout", "00:00:30", 30.0)]
    [InlineData("CloseTimeout", "0.25", 0.25)]
    [InlineData("DrainTimeout", "0", 0.0)]
    [InlineData("DrainTimeout", "49.00:00:00", 4_233_600.0)]
    public void ATimeoutThatMayBeOffIsOffForZeroOffOrInfinite(string key, string value, double seconds)
    {
        ServerOptions options = Read(new() { [$"WsServer:{key}"] = value });

        Assert.Equal(TimeSpan.FromSeconds(seconds), typeof(ServerOptions).GetProperty(key)!.GetValue(options));
    }

    [Theory]
    [InlineData("MaxConnections", "5000", 5000)]
    [InlineData("MaxConnectionsPerIp", "10", 10)]
    public void TheConnectionLimitsAreSettings(string key, string value, int expected) =>
        Assert.Equal(expected, typeof(ServerOptions).GetProperty(key)!.GetValue(Read(new() { [$"WsServer:{key}"] = value })));

    private static ServerOptions Read(Dictionary<string, string?> settings)
    {
        IConfigurationSection section = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("WsServer");
        var options = new ServerOptions();
        Redis.RedisBackplaneOptions? redis = null;
        ServerConfiguration.Apply(section, options, ref redis);
        return options;
    }

    [Theory]
    [InlineData("true", "false", true, false)]
    [InlineData("false", "true", false, true)]
    public void TheTransportAndInlineIoAreSettings(string inline, string epoll, bool inlineIo, bool epollTransport)
    {
        IConfigurationSection section = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["WsServer:InlineIo"] = inline, ["WsServer:EpollTransport"] = epoll })
            .Build().GetSection("WsServer");
        var options = new ServerOptions { InlineIo = !inlineIo, EpollTransport = !epollTransport };

        Redis.RedisBackplaneOptions? redis = null;
        ServerConfiguration.Apply(section, options, ref redis);

        Assert.Equal(inlineIo, options.InlineIo);
        Assert.Equal(epollTransport, options.EpollTransport);
    }

    [Theory]
    [InlineData("30", 30.0)]
    [InlineData("2.5", 2.5)]
    [InlineData("0", 0.0)]
    [InlineData("00:00:30", 30.0)]
    [InlineData("00:02:00", 120.0)]
    [InlineData("1.00:00:00", 86_400.0)]
    public void ANumberIsSecondsNotDays(string value, double seconds)
    {
        Assert.True(ConfigurationValues.TryParseDuration(value, out TimeSpan duration));

        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("WsServer:Port", "70000", "WsServer:Port")]
    [InlineData("WsServer:Port", "eighty", "WsServer:Port")]
    [InlineData("WsServer:Address", "somewhere", "WsServer:Address")]
    [InlineData("WsServer:Workers", "0", "WsServer:Workers")]
    [InlineData("WsServer:MaxMessageSize", "-1", "WsServer:MaxMessageSize")]
    [InlineData("WsServer:SendQueueLimit", "lots", "WsServer:SendQueueLimit")]
    [InlineData("WsServer:IdleTimeout", "soon", "WsServer:IdleTimeout")]
    [InlineData("WsServer:CloseTimeout", "0", "WsServer:CloseTimeout")]
    [InlineData("WsServer:CloseTimeout", "Infinite", "WsServer:CloseTimeout")]
    [InlineData("WsServer:CloseTimeout", "off", "WsServer:CloseTimeout")]
    [InlineData("WsServer:HandshakeTimeout", "50.00:00:00", "WsServer:HandshakeTimeout")]
    [InlineData("WsServer:IdleTimeout", "-1", "WsServer:IdleTimeout")]
    [InlineData("WsServer:IdleTimeout", "-00:00:00.001", "WsServer:IdleTimeout")]
    [InlineData("WsServer:DrainTimeout", "off", "WsServer:DrainTimeout")]
    [InlineData("WsServer:MaxConnections", "-1", "WsServer:MaxConnections")]
    [InlineData("WsServer:MaxConnectionsPerIp", "many", "WsServer:MaxConnectionsPerIp")]
    [InlineData("WsServer:DrainTimeout", "-5", "WsServer:DrainTimeout")]
    [InlineData("WsServer:Compression", "maybe", "WsServer:Compression")]
    [InlineData("WsServer:SlowConsumer", "Panic", "WsServer:SlowConsumer")]
    [InlineData("WsServer:InlineIo", "often", "WsServer:InlineIo")]
    [InlineData("WsServer:EpollTransport", "yes please", "WsServer:EpollTransport")]
    [InlineData("WsServer:Prot", "8080", "WsServer:Prot")]
    [InlineData("WsServer:Routes:/chat:MaxMessageSize", "0", "WsServer:Routes:/chat:MaxMessageSize")]
    [InlineData("WsServer:Routes:/chat:Handler", "nobody", "WsServer:Routes:/chat:Handler")]
    [InlineData("WsServer:Routes:/chat:Subprotocols:0", "not a token", "WsServer:Routes:/chat:Subprotocols")]
    [InlineData("WsServer:Routes:/chat:Compression", "sometimes", "WsServer:Routes:/chat:Compression")]
    [InlineData("WsServer:Routes:/chat:Colour", "blue", "WsServer:Routes:/chat:Colour")]
    [InlineData("WsServer:Routes:/free:MaxMessageSize", "10", "WsServer:Routes:/free:Handler")]
    [InlineData("WsServer:Routes:/code:Handler", "chat", "WsServer:Routes:/code:Handler")]
    [InlineData("WsServer:Routes:nochat:Handler", "chat", "WsServer:Routes:nochat")]
    public async Task ABadValueFailsTheStartNamingItsKey(string key, string value, string named)
    {
        using IHost host = TestHost.Build(new()
        {
            ["WsServer:Port"] = "0",
            ["WsServer:Routes:/chat:Handler"] = "chat",
            [key] = value,
        }, ws => ws.AddHandler<EchoHandler>("chat").MapHandler<EchoHandler>("/code"));

        WsServerConfigurationException error =
            await Assert.ThrowsAsync<WsServerConfigurationException>(() => host.StartAsync(Timeouts.Token()));

        output.WriteLine(error.Message);
        Assert.Equal(named, error.Key);
        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
        if (named == key) Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }
}
