using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Session;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Client;

/// <summary>The C# client against the project's own server: whole messages both ways, the closing
/// handshake from either side, refusals with their status, subprotocols, headers, compression and TLS.</summary>
public sealed class WebSocketClientTests
{
    private static readonly int[] Lengths = [0, 1, 125, 126, 65535, 65536, 1024 * 1024];

    internal static Task<WebSocketClient> ConnectAsync(Uri uri, WebSocketClientOptions? options = null) =>
        WebSocketClient.ConnectAsync(uri, options, Timeouts.Token());

    /// <summary>Sends text and binary of every length edge and checks each echo, byte for byte.</summary>
    internal static async Task EchoEveryLengthAsync(WebSocketClient client)
    {
        var random = new Random(6455);
        foreach (int length in Lengths)
        {
            string text = new string('é', length / 2) + new string('a', length % 2);
            await client.SendAsync(text, Timeouts.Token());
            WebSocketMessage echoed = await client.ReceiveAsync(Timeouts.Token());
            Assert.Equal(MessageType.Text, echoed.Type);
            Assert.True(text == echoed.GetText(), $"text of {length} bytes not echoed");

            byte[] data = new byte[length];
            random.NextBytes(data);
            await client.SendAsync(data, Timeouts.Token());
            echoed = await client.ReceiveAsync(Timeouts.Token());
            Assert.Equal(MessageType.Binary, echoed.Type);
            Assert.True(echoed.Payload.Span.SequenceEqual(data), $"binary of {length} bytes not echoed");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TextAndBinaryOfEveryLengthEdgeAreEchoed(bool compression)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await ConnectAsync(server.Uri(), new WebSocketClientOptions { Compression = compression });

        await EchoEveryLengthAsync(client);

        Assert.Equal(compression, client.Compression is not null);
        Assert.Equal(compression, client.Response.Extensions is not null);
    }

    [Fact]
    public async Task NoCompressionIsAgreedWhenTheServerDeclines()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.Compression = PerMessageDeflateOptions.Disabled);
        await using WebSocketClient client = await ConnectAsync(server.Uri());

        await EchoEveryLengthAsync(client);

        Assert.Null(client.Compression);
    }

    [Theory]
    [InlineData(CloseCode.NormalClosure, "bye")]
    [InlineData((CloseCode)4000, "")]
    public async Task CloseAsyncCompletesTheClosingHandshakeWithTheServersEcho(CloseCode code, string reason)
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        await using WebSocketClient client = await ConnectAsync(server.Uri());

        WebSocketMessage answer = await client.CloseAsync(code, reason, Timeouts.Token());

        Assert.Equal(MessageType.Close, answer.Type);
        Assert.Equal(code, answer.CloseCode);
        Assert.Equal(SessionState.Closed, client.State);
        ConnectionClosed closed = await handler.FirstClosed.Task.Bounded();
        Assert.Equal(code, closed.Code);
        Assert.Equal(reason, closed.Reason);
        Assert.Equal(CloseInitiator.Peer, closed.Initiator);
    }

    [Fact]
    public async Task SendCloseAsyncKeepsTheMessagesSentBeforeTheAnswer()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await ConnectAsync(server.Uri());

        for (int i = 0; i < 20; i++) await client.SendAsync($"m{i}", Timeouts.Token());
        await client.SendCloseAsync(CloseCode.NormalClosure, null, Timeouts.Token());

        for (int i = 0; i < 20; i++) Assert.Equal($"m{i}", (await client.ReceiveAsync(Timeouts.Token())).GetText());
        Assert.Equal(CloseCode.NormalClosure, (await client.ReceiveAsync(Timeouts.Token())).CloseCode);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync("after", Timeouts.Token()).AsTask());
    }

    [Fact]
    public async Task AReceiveLoopAndCloseAsyncBothGetTheClose()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await ConnectAsync(server.Uri());
        async Task<int> ReceiveUntilCloseAsync()
        {
            int messages = 0;
            while ((await client.ReceiveAsync(Timeouts.Token())).Type != MessageType.Close) messages++;
            return messages;
        }
        Task<int> loop = Task.Run(ReceiveUntilCloseAsync);
        for (int i = 0; i < 50; i++) await client.SendAsync($"m{i}", Timeouts.Token());

        WebSocketMessage answer = await client.CloseAsync(CloseCode.NormalClosure, null, Timeouts.Token());

        Assert.Equal(CloseCode.NormalClosure, answer.CloseCode);
        Assert.InRange(await loop.Bounded(), 0, 50);
    }

    [Fact]
    public async Task TheServersCloseIsReceivedAsACloseMessageAndEchoed()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        await using WebSocketClient client = await ConnectAsync(server.Uri());

        await client.SendAsync("closestatus", Timeouts.Token());
        WebSocketMessage close = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(MessageType.Close, close.Type);
        Assert.Equal((CloseCode)4001, close.CloseCode);
        Assert.Equal("bye", close.GetText());
        Assert.Equal(SessionState.Closed, client.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync("after", Timeouts.Token()).AsTask());
        // Once closed, the close is what every further receive gets.
        Assert.Equal((CloseCode)4001, (await client.ReceiveAsync(Timeouts.Token())).CloseCode);
    }

    [Fact]
    public async Task SubprotocolsAndExtraHeadersReachTheServer()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes
            .Map("/chat", handler, new WebSocketRouteOptions { Subprotocols = ["chat.v2", "chat.v1"] }));

        await using WebSocketClient client = await ConnectAsync(server.Uri("/chat?room=1"), new WebSocketClientOptions
        {
            Subprotocols = ["chat.v1", "chat.v2"],
            Headers = [new("Authorization", "Bearer abc"), new("X-Trace", "42")],
        });
        var info = (await handler.FirstOpened.Task.Bounded()).Info;

        Assert.Equal("chat.v2", client.Subprotocol);
        Assert.Equal("chat.v2", info.Subprotocol);
        Assert.Equal("/chat", info.Path);
        Assert.Equal("room=1", info.Query.TrimStart('?'));
        Assert.Equal("Bearer abc", info.Headers["Authorization"]);
        Assert.Equal("42", info.Headers["X-Trace"]);
    }

    [Fact]
    public async Task PingAsyncCompletesWhenThePongIsRead()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await ConnectAsync(server.Uri());
        Task<WebSocketMessage> reading = client.ReceiveAsync(Timeouts.Token()).AsTask();

        TimeSpan roundTrip = await client.PingAsync(Timeouts.Token());

        Assert.True(roundTrip >= TimeSpan.Zero);
        Assert.False(reading.IsCompleted);
        await client.SendAsync("after the ping", Timeouts.Token());
        Assert.Equal("after the ping", (await reading.Bounded()).GetText());
    }

    [Fact]
    public async Task TheServersPingIsAnsweredWithoutBeingDelivered()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        await using WebSocketClient client = await ConnectAsync(server.Uri());

        await client.SendAsync("pingdata", Timeouts.Token());
        await client.SendAsync("count", Timeouts.Token());

        // The ping is skipped; its pong went back; the next message is the reply to "count".
        Assert.Equal("2", (await client.ReceiveAsync(Timeouts.Token())).GetText());
    }

    [Fact]
    public async Task SendsFromManyThreadsArriveAsWholeMessages()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await ConnectAsync(server.Uri());
        const int Senders = 8, PerSender = 50;

        Task[] senders = [.. Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < PerSender; i++)
            {
                if (i % 2 == 0) await client.SendAsync($"{s}:{i}:" + new string('x', 1000 * s), Timeouts.Token());
                else await client.SendAsync(Encoding.UTF8.GetBytes($"{s}:{i}:" + new string('y', 3000 * s)), Timeouts.Token());
            }
        }))];
        var seen = new HashSet<string>();
        for (int n = 0; n < Senders * PerSender; n++)
        {
            WebSocketMessage message = await client.ReceiveAsync(Timeouts.Token());
            string text = Encoding.UTF8.GetString(message.Payload.Span);
            string[] parts = text.Split(':');
            int s = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            int i = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(i % 2 == 0 ? MessageType.Text : MessageType.Binary, message.Type);
            Assert.Equal(new string(i % 2 == 0 ? 'x' : 'y', (i % 2 == 0 ? 1000 : 3000) * s), parts[2]);
            Assert.True(seen.Add($"{s}:{i}"));
        }
        await Task.WhenAll(senders).Bounded();
    }

    [Fact]
    public async Task WssConnectsToASelfSignedServerOnlyWhenAskedToAcceptAnyCertificate()
    {
        using var certificate = TestCertificate.Create();
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler,
            o => o.Tls = new TlsOptions { Certificate = CertificateFile.Pem(certificate.CertPath, certificate.KeyPath) });
        var uri = new Uri($"wss://localhost:{server.Port}/");

        await Assert.ThrowsAsync<AuthenticationException>(() => ConnectAsync(uri));
        await using WebSocketClient client = await ConnectAsync(uri, new WebSocketClientOptions { AcceptAnyCertificate = true });
        await client.SendAsync("over tls", Timeouts.Token());

        Assert.Equal("over tls", (await client.ReceiveAsync(Timeouts.Token())).GetText());
        var info = (await handler.FirstOpened.Task.Bounded()).Info;
        Assert.True(info.IsTls);
        Assert.Equal("localhost", info.TlsServerName);
    }
}
