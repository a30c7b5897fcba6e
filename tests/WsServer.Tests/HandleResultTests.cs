using System.Net.WebSockets;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests;

/// <summary>Each of the seed's eight results, seen on the wire by a raw client (which, unlike
/// ClientWebSocket, shows pings and pongs).</summary>
public sealed class HandleResultTests
{
    private static async Task<(TestServer Server, RawClient Client)> ConnectAsync()
    {
        TestServer server = await TestServer.StartAsync(new CommandHandler());
        return (server, await RawClient.ConnectAsync(server.Port));
    }

    [Theory]
    [InlineData("reply", 1, "replied")]
    [InlineData("ping", 9, "")]
    [InlineData("pingdata", 9, "p-data")]
    [InlineData("pong", 10, "")]
    [InlineData("pongdata", 10, "q-data")]
    public async Task ResultSendsItsFrame(string command, int opcode, string payload)
    {
        (TestServer server, RawClient client) = await ConnectAsync();
        await using (server)
        await using (client)
        {
            await client.SendAsync(ClientFrame.Text(command));

            ReceivedFrame? frame = await client.ReadFrameAsync();

            Assert.Equal(opcode, frame!.Value.Opcode);
            Assert.Equal(payload, frame.Value.Text);
        }
    }

    [Fact]
    public async Task ReplyWithBytesSendsBinary()
    {
        (TestServer server, RawClient client) = await ConnectAsync();
        await using (server)
        await using (client)
        {
            await client.SendAsync(ClientFrame.Text("replybin"));

            ReceivedFrame? frame = await client.ReadFrameAsync();

            Assert.Equal(2, frame!.Value.Opcode);
            Assert.Equal(new byte[] { 1, 2, 3 }, frame.Value.Payload);
        }
    }

    [Fact]
    public async Task NoReplySendsNothingAndKeepsTheState()
    {
        (TestServer server, RawClient client) = await ConnectAsync();
        await using (server)
        await using (client)
        {
            await client.SendAsync([.. ClientFrame.Text("noreply"), .. ClientFrame.Text("noreply"), .. ClientFrame.Text("count")]);

            ReceivedFrame? frame = await client.ReadFrameAsync();

            Assert.Equal("3", frame!.Value.Text);
        }
    }

    [Fact]
    public async Task CloseWithoutStatusSendsAnEmptyCloseFrame()
    {
        (TestServer server, RawClient client) = await ConnectAsync();
        await using (server)
        await using (client)
        {
            await client.SendAsync(ClientFrame.Text("close"));

            ReceivedFrame close = await client.ReadCloseAsync();
            Assert.Empty(close.Payload);
            await client.SendAsync(ClientFrame.Build(8, []));
            Assert.True(await client.ServerClosedTcpAsync());
        }
    }

    [Fact]
    public async Task CloseWithStatusIsSeenByDotNetClient()
    {
        await using TestServer server = await TestServer.StartAsync(new CommandHandler());
        using ClientWebSocket client = await server.ConnectAsync();

        await client.SendTextAsync("closestatus");

        (WebSocketCloseStatus? status, string? reason) = await client.ReceiveCloseAsync();
        Assert.Equal((WebSocketCloseStatus)4001, status);
        Assert.Equal("bye", reason);
    }
}
