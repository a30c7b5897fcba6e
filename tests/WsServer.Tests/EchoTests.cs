using WsServer.Connections;
using System.Net.WebSockets;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>The seed's example over real sockets with .NET's own client, at every length-encoding edge
/// of RFC 6455 §5.2 (7-bit, 16-bit, 64-bit) and at the default 1 MiB message limit.</summary>
public sealed class EchoTests
{
    public static TheoryData<int> Sizes => [0, 1, 125, 126, 65535, 65536, 1024 * 1024];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task TextIsEchoedAsText(int size)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        using ClientWebSocket client = await server.ConnectAsync();
        string text = string.Create(size, 0, (span, _) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = (char)('a' + i % 26);
        });

        await client.SendTextAsync(text);

        Assert.Equal(text, await client.ReceiveTextAsync());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task BinaryIsEchoedAsBinary(int size)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        using ClientWebSocket client = await server.ConnectAsync();
        byte[] data = new byte[size];
        new Random(size).NextBytes(data);

        await client.SendBinaryAsync(data);

        (WebSocketMessageType type, byte[] echoed) = await client.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(data, echoed);
    }

    [Fact]
    public async Task ManyMessagesOnOneConnectionAreEchoedInOrder()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        using ClientWebSocket client = await server.ConnectAsync();

        Task sending = Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++) await client.SendTextAsync($"m{i}");
        });
        for (int i = 0; i < 500; i++) Assert.Equal($"m{i}", await client.ReceiveTextAsync());
        await sending.Bounded();
    }

    [Fact]
    public async Task LargeRepliesToAPeerThatDoesNotReadFollowEachOtherWholeAndInOrder()
    {
        // Each message is the only one the server's read holds, so its reply is sent as it is read; the peer reads
        // nothing until the last is handled, so the server's socket fills, later sends are partial or refused, and
        // what the socket did not take must follow, whole and before the next reply.
        var handler = new SignallingEcho();
        await using TestServer server = await TestServer.StartAsync(o =>
        {
            o.UseHandler(handler);
            o.SendQueueLimit = 64 << 20; // every reply queued: none waits for room
        });
        await using RawClient client = await RawClient.ConnectAsync(server.Port, receiveBuffer: 4096);
        byte[][] payloads = [.. Enumerable.Range(0, 16).Select(i => Enumerable.Range(0, 500_000 + i).Select(j => (byte)(i + j * 7)).ToArray())];

        foreach (byte[] payload in payloads)
        {
            await client.SendAsync(ClientFrame.Build(2, payload));
            await handler.Handled.WaitAsync(Timeouts.Token());
        }

        foreach (byte[] payload in payloads)
        {
            ReceivedFrame? frame = await client.ReadFrameAsync();
            Assert.Equal((true, 2), (frame!.Value.Fin, frame.Value.Opcode));
            Assert.Equal(payload, frame.Value.Payload);
        }
    }

    /// <summary>Echoes, and tells when it has.</summary>
    private sealed class SignallingEcho : IWebSocketHandler
    {
        public SemaphoreSlim Handled { get; } = new(0);

        public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection, CancellationToken ct)
        {
            Handled.Release();
            return new(HandleResult.Reply(message));
        }
    }

    [Fact]
    public async Task FragmentedMessageIsEchoedWhole()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        using ClientWebSocket client = await server.ConnectAsync();

        await client.SendAsync("Hel"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false, Timeouts.Token());
        await client.SendAsync("lo"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, Timeouts.Token());

        Assert.Equal("Hello", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task MessageOverTheLimitIsClosedWith1009AndOneAtTheLimitIsNot()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.MaxMessageSize = 10);
        using ClientWebSocket client = await server.ConnectAsync();

        await client.SendBinaryAsync(new byte[10]);
        Assert.Equal(10, (await client.ReceiveMessageAsync()).Data.Length);
        await client.SendBinaryAsync(new byte[11]);

        (WebSocketCloseStatus? status, _) = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, status);
    }
}
