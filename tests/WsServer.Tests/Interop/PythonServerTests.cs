using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Tests.Client;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Interop;

/// <summary>The C# client against a server this project did not write: Python's <c>websockets.serve</c>
/// (Debian's python3-websockets), with and without permessage-deflate.</summary>
public sealed class PythonServerTests
{
    [Theory]
    [InlineData("deflate")]
    [InlineData("none")]
    public async Task ClientEchoesEveryLengthEdgeWithAPythonServer(string compression)
    {
        using PythonServer server = await PythonServer.StartAsync("echo_server.py", compression);
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());

        await WebSocketClientTests.EchoEveryLengthAsync(client);
        TimeSpan roundTrip = await PingWhileReadingAsync(client);
        WebSocketMessage answer = await client.CloseAsync(CloseCode.NormalClosure, "bye", Timeouts.Token());

        Assert.Equal(compression == "deflate", client.Compression is not null);
        Assert.True(roundTrip >= TimeSpan.Zero);
        Assert.Equal(CloseCode.NormalClosure, answer.CloseCode);
    }

    [Fact]
    public async Task ClientWithoutCompressionEchoesWithAPythonServerThatOffersIt()
    {
        using PythonServer server = await PythonServer.StartAsync("echo_server.py", "deflate");
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri(),
            new WebSocketClientOptions { Compression = false });

        await WebSocketClientTests.EchoEveryLengthAsync(client);

        Assert.Null(client.Compression);
        Assert.Null(client.Response.Extensions);
    }

    [Fact]
    public async Task APythonServerAgreesToTheShapedDeflateOfferAndKeepsToIt()
    {
        using PythonServer server = await PythonServer.StartAsync("echo_server.py", "deflate");
        var offer = new DeflateParameters(ClientNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 9);
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri(),
            new WebSocketClientOptions { DeflateOffer = offer });

        await WebSocketClientDeflateOfferTests.EchoTwiceAsync(client);

        Assert.Equal(offer, client.Compression);
    }

    [Fact]
    public async Task APythonServerAnswersTheKeepAlivePingAndTheConnectionOutlivesThePongDeadline()
    {
        using PythonServer server = await PythonServer.StartAsync("echo_server.py", "none");
        var time = new FakeClock();
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri(),
            WebSocketClientKeepAliveTests.KeepAlive(time));
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();

        time.Advance(WebSocketClientKeepAliveTests.Interval);
        Assert.True(await Timeouts.Eventually(() => client.RoundTripTime is not null), "the keep-alive ping was not answered");
        time.Advance(WebSocketClientKeepAliveTests.PongTimeout);
        await client.SendAsync("after the deadline", Timeouts.Token());

        Assert.Equal("after the deadline", (await receiving.Bounded()).GetText());
    }

    [Theory]
    [InlineData(MessageType.Text)]
    [InlineData(MessageType.Binary)]
    public async Task APythonServersEchoKeepsTheTypeSent(MessageType type)
    {
        using PythonServer server = await PythonServer.StartAsync("echo_server.py", "deflate");
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());
        byte[] payload = System.Text.Encoding.UTF8.GetBytes("typed");

        await client.SendAsync(payload, type, Timeouts.Token());
        WebSocketMessage echoed = await client.ReceiveAsync(Timeouts.Token());
        await client.SendAsync(echoed, Timeouts.Token());
        WebSocketMessage again = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(type, again.Type);
        Assert.Equal(payload, again.Payload.ToArray());
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(4002)]
    public async Task ThePythonServersCloseIsReceivedWithItsCodeAndReason(int code)
    {
        using PythonServer server = await PythonServer.StartAsync("echo_server.py", "deflate");
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());

        await client.SendAsync($"close {code} going now", Timeouts.Token());
        WebSocketMessage close = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(MessageType.Close, close.Type);
        Assert.Equal((CloseCode)code, close.CloseCode);
        Assert.Equal("going now", close.GetText());
    }

    /// <summary>The pong is read by a receive, so one runs meanwhile; an echo ends it.</summary>
    private static async Task<TimeSpan> PingWhileReadingAsync(WebSocketClient client)
    {
        Task<WebSocketMessage> reading = client.ReceiveAsync(Timeouts.Token()).AsTask();
        TimeSpan roundTrip = await client.PingAsync(Timeouts.Token());
        await client.SendAsync("done", Timeouts.Token());
        Assert.Equal("done", (await reading.Bounded()).GetText());
        return roundTrip;
    }
}
