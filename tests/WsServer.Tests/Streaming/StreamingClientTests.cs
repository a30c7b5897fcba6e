using System.Text;
using System.Threading.Channels;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Routing;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Streaming;

/// <summary>RFC 6455 §5.4 and §5.5 for <see cref="WebSocketClient"/>: a message received as it arrives
/// (<see cref="WebSocketClientOptions.StreamMessages"/>) and a message sent in parts.</summary>
public class StreamingClientTests
{
    private static readonly WebSocketClientOptions Streaming = new() { StreamMessages = true, MaxMessageSize = 1L << 40 };

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Parts(ChannelReader<byte[]> reader)
    {
        await foreach (byte[] part in reader.ReadAllAsync()) yield return part;
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> Generated(long length)
    {
        var buffer = new byte[100_000]; // reused: each part is written before the next is made
        for (long offset = 0; offset < length; offset += buffer.Length)
        {
            int count = (int)Math.Min(buffer.Length, length - offset);
            Pattern.Fill(buffer.AsSpan(0, count), offset);
            await Task.Yield();
            yield return buffer.AsMemory(0, count);
        }
    }

    [Fact]
    public async Task AClientStreams64MiBThroughAStreamingEchoAndReadsTheEchoAsItArrives()
    {
        const long length = 64L << 20;
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/echo", async (message, connection, ct) =>
        {
            await connection.SendAsync(message.Body, message.Type, ct);
            return HandleResult.NoReply();
        }, new WebSocketRouteOptions { StreamMessages = true, MaxMessageSize = 1L << 40 }));
        await using WebSocketClient client = await WebSocketClient.ConnectAsync(server.Uri("/echo"), Streaming, Timeouts.Token());

        Task sending = client.SendAsync(Generated(length), MessageType.Binary, Timeouts.Token());
        WebSocketMessage echo = await client.ReceiveAsync(Timeouts.Token());
        Assert.True(echo.IsStreamed);
        long received = 0;
        bool matches = true;
        await foreach (ReadOnlyMemory<byte> part in echo.ReadPartsAsync(Timeouts.Token()))
        {
            matches &= Pattern.Matches(part.Span, received);
            received += part.Length;
        }
        await sending.Bounded();

        Assert.Equal(length, received);
        Assert.True(matches);
    }

    [Fact]
    public async Task Rfc6455_5_4_TheClientReadsTheFirstPartBeforeTheServerHasSentTheRest()
    {
        var parts = Channel.CreateUnbounded<byte[]>();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/", (message, connection) =>
        {
            _ = connection.SendAsync(Parts(parts.Reader), MessageType.Text);
            return HandleResult.NoReply();
        }));
        await using WebSocketClient client = await WebSocketClient.ConnectAsync(server.Uri(), Streaming, Timeouts.Token());
        await client.SendAsync("go", Timeouts.Token());
        await parts.Writer.WriteAsync("first "u8.ToArray());

        WebSocketMessage message = await client.ReceiveAsync(Timeouts.Token());
        var first = new byte[6];
        await message.Body.ReadExactlyAsync(first, Timeouts.Token());
        Assert.Equal("first ", Encoding.UTF8.GetString(first));
        await parts.Writer.WriteAsync("then the rest"u8.ToArray());
        parts.Writer.Complete();

        Assert.Equal(MessageType.Text, message.Type);
        Assert.Equal("then the rest", await new StreamReader(message.Body).ReadToEndAsync(Timeouts.Token()));
    }

    [Fact]
    public async Task Rfc6455_5_5_3_AServerPingIsAnsweredBetweenTheFragmentsOfTheClientsStreamedSend()
    {
        var connected = new TaskCompletionSource<WebSocketConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/", (message, connection) =>
        {
            connected.TrySetResult(connection);
            return HandleResult.Reply(message.GetText());
        }));
        await using WebSocketClient client = await WebSocketClient.ConnectAsync(server.Uri(), null, Timeouts.Token());
        await client.SendAsync("hello", Timeouts.Token());
        WebSocketConnection connection = await connected.Task.Bounded();
        Assert.Equal("hello", (await client.ReceiveAsync(Timeouts.Token())).GetText());
        var parts = Channel.CreateUnbounded<byte[]>();

        Task streaming = client.SendAsync(Parts(parts.Reader), MessageType.Text, Timeouts.Token());
        await parts.Writer.WriteAsync("stre"u8.ToArray());
        Task<WebSocketMessage> receiving = client.ReceiveAsync(Timeouts.Token()).AsTask(); // reads, so answers pings
        await connection.PingAsync(Timeouts.Token()).Bounded(); // its pong went out between the fragments
        Task whole = client.SendAsync("after", Timeouts.Token()).AsTask(); // waits for the streamed message's end
        await parts.Writer.WriteAsync("amed"u8.ToArray());
        parts.Writer.Complete();
        await streaming.Bounded();
        await whole.Bounded();

        Assert.Equal("streamed", (await receiving.Bounded()).GetText());
        Assert.Equal("after", (await client.ReceiveAsync(Timeouts.Token())).GetText());
    }

    [Fact]
    public async Task WhatTheClientLeavesUnreadIsSkippedByTheNextReceive()
    {
        byte[] large = new byte[1 << 20];
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/", (message, connection) =>
        {
            connection.TrySend(large);
            connection.TrySend("next");
            return HandleResult.NoReply();
        }));
        await using WebSocketClient client = await WebSocketClient.ConnectAsync(server.Uri(), Streaming, Timeouts.Token());
        await client.SendAsync("go", Timeouts.Token());

        WebSocketMessage first = await client.ReceiveAsync(Timeouts.Token());
        await first.Body.ReadExactlyAsync(new byte[10], Timeouts.Token());
        WebSocketMessage next = await client.ReceiveAsync(Timeouts.Token());

        Assert.Equal(MessageType.Binary, first.Type);
        Assert.Equal("next", await new StreamReader(next.Body).ReadToEndAsync(Timeouts.Token()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.Body.ReadAsync(new byte[1], Timeouts.Token()).AsTask());
    }
}
