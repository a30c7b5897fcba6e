using System.Text;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Client;

/// <summary>The client sends bytes as the type it is told, sends a received message back as it came, and
/// says who started the close it returns.</summary>
public sealed class WebSocketClientMessageTypeTests
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("héllo");

    [Theory]
    [InlineData(MessageType.Text)]
    [InlineData(MessageType.Binary)]
    public async Task SendAsyncWithATypeSendsTheBytesAsThatType(MessageType type)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());

        await client.SendAsync(Hello, type, Timeouts.Token());
        WebSocketMessage echoed = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(type, echoed.Type);
        Assert.Equal(Hello, echoed.Payload.ToArray());
    }

    [Theory]
    [InlineData(MessageType.Close)]
    [InlineData(MessageType.Ping)]
    public async Task SendAsyncRefusesAControlType(MessageType type)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.SendAsync(Hello, type, Timeouts.Token()).AsTask());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AReceivedMessageIsSentBackWithItsType(bool streamed)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri(),
            new WebSocketClientOptions { StreamMessages = streamed });
        await client.SendAsync("text", Timeouts.Token());
        await client.SendAsync(Hello, Timeouts.Token());

        // Each echo is echoed back, so the server's second echo shows what the client sent.
        await client.SendAsync(await client.ReceiveAsync(Timeouts.Token()), Timeouts.Token());
        await client.SendAsync(await client.ReceiveAsync(Timeouts.Token()), Timeouts.Token());
        WebSocketMessage text = await client.ReceiveAsync(Timeouts.Token());
        byte[] textBytes = await ReadAllAsync(text);
        WebSocketMessage binary = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(MessageType.Text, text.Type);
        Assert.Equal("text", Encoding.UTF8.GetString(textBytes));
        Assert.Equal(MessageType.Binary, binary.Type);
        Assert.Equal(Hello, await ReadAllAsync(binary));
    }

    [Fact]
    public async Task ACloseCannotBeSentAsAMessage()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());
        await client.SendAsync("closestatus", Timeouts.Token());
        WebSocketMessage close = await client.ReceiveAsync(Timeouts.Token());

        await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(close, Timeouts.Token()).AsTask());
    }

    [Fact]
    public async Task TheServersCloseSaysThePeerStartedIt()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());

        await client.SendAsync("closestatus", Timeouts.Token());
        WebSocketMessage close = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(CloseInitiator.Peer, close.Initiator);
        Assert.Equal((CloseCode)4001, close.CloseCode);
    }

    [Fact]
    public async Task TheAnswerToCloseAsyncSaysThisClientStartedIt()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri());

        WebSocketMessage close = await client.CloseAsync(CloseCode.NormalClosure, "done", Timeouts.Token());

        Assert.Equal(CloseInitiator.Local, close.Initiator);
        Assert.Equal(CloseCode.NormalClosure, close.CloseCode);
    }

    [Fact]
    public async Task AConnectionCutWithoutACloseSaysTheTransportEndedIt()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(new WebSocketClientOptions());
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask();

        peer.Cut();
        WebSocketMessage close = await receiving.Bounded();

        Assert.Equal(CloseInitiator.Transport, close.Initiator);
        Assert.Equal(CloseCode.AbnormalClosure, close.CloseCode);
    }

    private static async Task<byte[]> ReadAllAsync(WebSocketMessage message)
    {
        if (!message.IsStreamed) return message.Payload.ToArray();
        using var copy = new MemoryStream();
        await message.Body.CopyToAsync(copy, Timeouts.Token());
        return copy.ToArray();
    }
}
