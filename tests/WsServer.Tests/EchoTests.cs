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
