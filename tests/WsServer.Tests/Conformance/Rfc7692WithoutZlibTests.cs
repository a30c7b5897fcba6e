using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using WsServer.Hosting;
using WsServer.Protocol.Compression;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Conformance;

/// <summary>On a machine where the codec's zlib (<c>libz.so.1</c>) cannot be loaded, which the server's
/// internal switch <c>ServerOptions.CompressionSupported = false</c> stands for, every permessage-deflate
/// offer is declined (RFC 7692 §5: the server simply does not accept it) and the connection works
/// uncompressed; the server says so once in its log, at the start.</summary>
public sealed class Rfc7692WithoutZlibTests
{
    private static void WithoutZlib(ServerOptions options) => options.CompressionSupported = false;

    [Theory]
    [InlineData("permessage-deflate")]
    [InlineData("permessage-deflate; client_max_window_bits")]
    [InlineData("permessage-deflate; server_no_context_takeover; client_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=10; client_max_window_bits=9")]
    [InlineData("permessage-deflate; bogus, permessage-deflate; client_no_context_takeover")]
    public async Task Rfc7692_5_EveryOfferIsDeclinedAndMessagesGoPlain(string offer)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), WithoutZlib);
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: $"Sec-WebSocket-Extensions: {offer}\r\n");
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compressible text ", 200)));

        Assert.StartsWith("HTTP/1.1 101", client.ResponseHead, StringComparison.Ordinal);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", client.ResponseHead, StringComparison.OrdinalIgnoreCase);
        await client.SendAsync(ClientFrame.Build(1, text));
        ReceivedFrame? echo = await client.ReadFrameAsync();
        Assert.Equal(0, echo?.Rsv);
        Assert.Equal(text, echo!.Value.Payload);
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc7692_6_Rsv1IsStillAProtocolErrorWhenCompressionWasDeclined()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), WithoutZlib);
        await using RawClient client = await RawClient.ConnectAsync(server.Port,
            extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n");

        await client.SendAsync(ClientFrame.Build(1, [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], rsv: 4));

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task AClientThatOffersDeflateConnectsAndEchoesUncompressed()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), WithoutZlib);
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(server.Uri(), Timeouts.Token());
        string text = string.Concat(Enumerable.Repeat("compressible text ", 1000));

        await client.SendTextAsync(text);

        Assert.Equal(text, await client.ReceiveTextAsync());
        Assert.False(client.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task TheServerLogsTheDeclineOnceAtTheStartNotPerConnection()
    {
        var log = new ListLoggerProvider();
        ServerOptions options = new ServerOptions { Port = 0, Address = IPAddress.Loopback }.UseHandler(new EchoHandler());
        WithoutZlib(options);
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(log));
        await using var server = new WebSocketServer(options, factory);
        await server.StartAsync();
        int port = server.LocalEndPoints[0].Port;

        for (int i = 0; i < 3; i++)
        {
            await using RawClient client = await RawClient.ConnectAsync(port, extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n");
            await client.CloseNormallyAsync();
        }

        string line = Assert.Single(log.Lines, l => l.Contains("permessage-deflate is declined", StringComparison.Ordinal));
        Assert.Contains("libz.so.1", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NothingIsLoggedWhenCompressionIsOffAnyway()
    {
        var log = new ListLoggerProvider();
        ServerOptions options = new ServerOptions { Port = 0, Address = IPAddress.Loopback, Compression = PerMessageDeflateOptions.Disabled }
            .UseHandler(new EchoHandler());
        WithoutZlib(options);
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(log));
        await using var server = new WebSocketServer(options, factory);
        await server.StartAsync();

        Assert.DoesNotContain(log.Lines, l => l.Contains("permessage-deflate", StringComparison.Ordinal));
    }

    [Fact]
    public void ARouteThatWantsCompressionCountsAsWanted()
    {
        var options = new ServerOptions { Compression = PerMessageDeflateOptions.Disabled };
        Assert.False(options.CompressionWanted);

        options.Routes.Map("/z", new EchoHandler(), new WebSocketRouteOptions { Compression = PerMessageDeflateOptions.Default });

        Assert.True(options.CompressionWanted);
    }

    [Fact]
    public void ByDefaultTheSwitchIsTheProbe() =>
        Assert.Equal(PerMessageDeflateNegotiator.IsSupported, new ServerOptions().CompressionSupported);

    /// <summary>Collects formatted log lines.</summary>
    private sealed class ListLoggerProvider : ILoggerProvider
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

        public ILogger CreateLogger(string categoryName) => new ListLogger(this);

        public void Dispose() { }

        private sealed class ListLogger(ListLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner._lines) owner._lines.Add(formatter(state, exception));
            }
        }
    }
}
