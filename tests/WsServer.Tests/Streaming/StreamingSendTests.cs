using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using WsServer.Connections;
using WsServer.Routing;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Streaming;

/// <summary>RFC 6455 §5.4 and §5.5 for a message the server sends in parts
/// (<see cref="WebSocketConnection.SendAsync(IAsyncEnumerable{ReadOnlyMemory{byte}}, MessageType, CancellationToken)"/>):
/// fragments in order with FIN on the last, control frames between them, other messages after them.</summary>
public class StreamingSendTests
{
    private static readonly WebSocketRouteOptions StreamingEcho = new() { StreamMessages = true, MaxMessageSize = 1L << 40 };

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Parts(ChannelReader<byte[]> reader)
    {
        await foreach (byte[] part in reader.ReadAllAsync()) yield return part;
    }

    /// <summary>A server whose connection on "/" is handed to the test when the client sends its first message.</summary>
    private static async Task<(TestServer Server, Task<WebSocketConnection> Connection)> StartAsync()
    {
        var connection = new TaskCompletionSource<WebSocketConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/", (message, c) =>
        {
            connection.TrySetResult(c);
            return HandleResult.NoReply();
        }));
        return (server, connection.Task);
    }

    [Fact]
    public async Task Rfc6455_5_4_And_5_5_PingsGoBetweenTheFragmentsAndOtherMessagesAfterTheLast()
    {
        (TestServer server, Task<WebSocketConnection> connected) = await StartAsync();
        await using TestServer _ = server;
        await using RawClient client = await RawClient.ConnectAsync(server.Port, "/", "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        await client.SendAsync(ClientFrame.Text("hello"));
        WebSocketConnection connection = await connected.Bounded();
        var parts = Channel.CreateUnbounded<byte[]>();
        string held = new('h', 200); // long enough to be compressed: RSV1 on it, and on none of the fragments

        Task streaming = connection.SendAsync(Parts(parts.Reader), MessageType.Text);
        await parts.Writer.WriteAsync("one"u8.ToArray());
        ReceivedFrame first = (await client.ReadFrameAsync())!.Value;
        Assert.Equal((false, 1, "one", 0), (first.Fin, first.Opcode, first.Text, first.Rsv));

        Assert.Equal(SendStatus.Queued, connection.TrySend(held));
        Task sentAfter = connection.SendAsync("async").AsTask();
        await client.SendAsync(ClientFrame.Build(9, "p"u8.ToArray()));
        ReceivedFrame pong = (await client.ReadFrameAsync())!.Value;
        Assert.Equal((10, "p"), (pong.Opcode, pong.Text));

        await parts.Writer.WriteAsync("two"u8.ToArray());
        parts.Writer.Complete();
        await streaming.Bounded();
        await sentAfter.Bounded();
        var frames = new List<ReceivedFrame>();
        for (int i = 0; i < 4; i++) frames.Add((await client.ReadFrameAsync())!.Value);

        Assert.Equal((false, 0, "two", 0), (frames[0].Fin, frames[0].Opcode, frames[0].Text, frames[0].Rsv));
        Assert.Equal((true, 0, 0, 0), (frames[1].Fin, frames[1].Opcode, frames[1].Payload.Length, frames[1].Rsv));
        Assert.Equal((true, 1, 4), (frames[2].Fin, frames[2].Opcode, frames[2].Rsv)); // the held message, compressed
        Assert.Equal((true, 1, "async"), (frames[3].Fin, frames[3].Opcode, frames[3].Text));
    }

    [Fact]
    public async Task Rfc6455_5_5_1_ACloseWhileStreamingEndsTheStreamedSendWithConnectionClosed()
    {
        (TestServer server, Task<WebSocketConnection> connected) = await StartAsync();
        await using TestServer _ = server;
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(ClientFrame.Text("hello"));
        WebSocketConnection connection = await connected.Bounded();
        var parts = Channel.CreateUnbounded<byte[]>();

        Task streaming = connection.SendAsync(Parts(parts.Reader), MessageType.Binary);
        await parts.Writer.WriteAsync([1, 2, 3]);
        Assert.Equal(2, (await client.ReadFrameAsync())!.Value.Opcode);
        Assert.True(connection.Close());
        await parts.Writer.WriteAsync([4]);

        await Assert.ThrowsAsync<ConnectionClosedException>(() => streaming.Bounded());
        Assert.Equal(8, (await client.ReadFrameAsync())!.Value.Opcode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A256MiBMessageStreamsThroughAStreamingEchoWithBoundedBuffering(bool compression)
    {
        const long length = 256L << 20;
        var peak = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/echo", async (message, connection, ct) =>
        {
            await connection.SendAsync(message.Body, message.Type, ct);
            peak.SetResult(message.StreamedBody.PeakBufferedBytes);
            return HandleResult.NoReply();
        }, StreamingEcho));
        using var client = new ClientWebSocket();
        if (compression) client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        await client.ConnectAsync(server.Uri("/echo"), Timeouts.Token());

        Task sending = Pattern.SendAsync(client, length, 1 << 20, Timeouts.Token());
        long echoed = await Pattern.ReceiveAsync(client, Timeouts.Token());
        await sending.Bounded();

        Assert.Equal(length, echoed);
        Assert.InRange(await peak.Task.Bounded(), 1, IncomingStream.PauseBytes + 64 * 1024);
    }

    [Fact]
    public async Task AMessageFromAPipeReaderGoesInFramesOfAtMost64KiB()
    {
        (TestServer server, Task<WebSocketConnection> connected) = await StartAsync();
        await using TestServer _ = server;
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        await client.SendAsync(ClientFrame.Text("hello"));
        WebSocketConnection connection = await connected.Bounded();
        var pipe = new System.IO.Pipelines.Pipe();
        byte[] payload = new byte[150_000];
        Pattern.Fill(payload, 0);
        Task sending = connection.SendAsync(pipe.Reader, MessageType.Binary);
        await pipe.Writer.WriteAsync(payload, Timeouts.Token());
        await pipe.Writer.CompleteAsync();

        await sending.Bounded();
        var frames = new List<ReceivedFrame>();
        do frames.Add((await client.ReadFrameAsync())!.Value);
        while (!frames[^1].Fin);

        Assert.Equal(2, frames[0].Opcode);
        Assert.All(frames.Skip(1), f => Assert.Equal(0, f.Opcode));
        Assert.All(frames, f => Assert.InRange(f.Payload.Length, 0, 64 * 1024));
        Assert.Equal(payload, frames.SelectMany(f => f.Payload).ToArray());
    }
}
