using System.IO.Compression;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Session;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.PubSub;

/// <summary>Fan-out encodes once and shares the bytes: every subscriber's queue holds the same frame, and
/// subscribers whose compressor starts each message afresh share one compressed frame.</summary>
public sealed class SharedFrameTests
{
    // Compressed, still larger than SendQueue.SharedCopyLimit: queued by reference.
    private static readonly string Json = string.Concat(Enumerable.Range(0, 200).Select(i =>
        $"{{\"id\":{i},\"user\":\"user-{i % 5}\",\"text\":\"hello from the room\",\"n\":{i * 7919 % 10007},\"ts\":{1700000000 + i * 37}}}"));

    [Fact]
    public async Task EverySubscriberQueuesTheSameFrameNotACopy()
    {
        PreparedMessage message = PreparedMessage.Binary(new byte[3000]);
        byte[][] sent = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SendOneAsync(ProtocolOptions.Default, message)));

        Assert.All(sent, array => Assert.Same(sent[0], array));
        Assert.Equal(message.Frame.ToArray(), sent[0]);
    }

    [Fact]
    public async Task SmallFramesAreCopiedSoABurstLeavesInOneArray()
    {
        PreparedMessage[] burst = [.. Enumerable.Range(0, 3).Select(i => PreparedMessage.Binary(new byte[] { (byte)i, 1, 2 }))];

        (byte[] written, byte[][] arrays) = await WriteQueuedAsync(ProtocolOptions.Default, burst);

        Assert.Equal(burst.SelectMany(m => m.Frame.ToArray()), written);
        byte[] only = Assert.Single(arrays);
        Assert.DoesNotContain(burst, m => MemoryMarshal.TryGetArray(m.Frame, out ArraySegment<byte> frame) && frame.Array == only);
    }

    [Fact]
    public async Task SessionsWithoutServerContextTakeoverShareOneCompressedFrame()
    {
        PreparedMessage message = PreparedMessage.Text(Json);
        var options = new ProtocolOptions { Deflate = new DeflateParameters(ServerNoContextTakeover: true) };
        byte[][] sent = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SendOneAsync(options, message)));

        Assert.All(sent, array => Assert.Same(sent[0], array));
        Assert.Equal(0xC1, sent[0][0]); // FIN, RSV1 (compressed, RFC 7692 §6), text
        Assert.True(sent[0].Length < Json.Length / 2, $"compressed to {sent[0].Length} of {Json.Length} bytes");
    }

    [Fact]
    public async Task ASessionWithServerContextTakeoverGetsThePlainFrame()
    {
        PreparedMessage message = PreparedMessage.Text(Json);
        var options = new ProtocolOptions { Deflate = new DeflateParameters(ServerNoContextTakeover: false) };

        byte[] sent = await SendOneAsync(options, message);

        Assert.Equal(message.Frame.ToArray(), sent);
    }

    [Fact]
    public async Task TheSharedCompressedFrameIsByteIdenticalOnTheWireAndInflatesInForeignClients()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        const string offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
        RawClient[] raw = [await RawClient.ConnectAsync(server.Port, extraHeaders: offer),
            await RawClient.ConnectAsync(server.Port, extraHeaders: offer)];
        Assert.All(raw, c => Assert.Contains("server_no_context_takeover", c.ResponseHead, StringComparison.Ordinal));
        using var bcl = new ClientWebSocket();
        bcl.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        await bcl.ConnectAsync(server.Uri(), Timeouts.Token());
        await using RawClient plain = await RawClient.ConnectAsync(server.Port);
        Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == 4));
        foreach (WebSocketConnection connection in handler.Opened) Assert.True(connection.Subscribe("room"));

        Assert.Equal(4, server.Server.Publish("room", PreparedMessage.Text(Json)));

        ReceivedFrame first = (await raw[0].ReadFrameAsync().Bounded())!.Value;
        ReceivedFrame second = (await raw[1].ReadFrameAsync().Bounded())!.Value;
        Assert.Equal(4, first.Rsv);
        Assert.Equal(first.Payload, second.Payload);
        Assert.Equal(Json, Inflate(first.Payload));
        Assert.Equal(Json, await bcl.ReceiveTextAsync());
        ReceivedFrame uncompressed = (await plain.ReadFrameAsync().Bounded())!.Value;
        Assert.Equal((0, Json), (uncompressed.Rsv, uncompressed.Text));
        foreach (RawClient client in raw) await client.DisposeAsync();
    }

    [Fact]
    public async Task ASubscriberThatDoesNotReadNeverDelaysTheOthers()
    {
        const int messages = 1000, receivers = 3;
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o => o.SendQueueLimit = 64 * 1024);
        await using RawClient stalled = await RawClient.ConnectAsync(server.Port);
        RawClient[] readers = await Task.WhenAll(Enumerable.Range(0, receivers).Select(_ => RawClient.ConnectAsync(server.Port)));
        Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == 1 + receivers));
        foreach (WebSocketConnection connection in handler.Opened) Assert.True(connection.Subscribe("feed"));

        // 1,000 x 16 KiB: far past what the stalled peer's 64 KiB queue and loopback socket buffers hold.
        // Each message reaches every reader before the next is published, whatever the stalled one does.
        byte[] payload = new byte[16 * 1024];
        int[] accepted = new int[messages];
        for (int i = 0; i < messages; i++)
        {
            payload[0] = (byte)i;
            accepted[i] = server.Server.Publish("feed", PreparedMessage.Binary(payload));
            foreach (RawClient reader in readers)
                Assert.Equal((byte)i, (await reader.ReadFrameAsync().Bounded())!.Value.Payload[0]);
        }

        Assert.Equal(1 + receivers, accepted[0]);
        Assert.Equal(receivers, accepted[^1]); // the stalled one's queue was full: dropped for it alone
        foreach (RawClient reader in readers) await reader.DisposeAsync();
    }

    /// <summary>Queues <paramref name="message"/> on a fresh session and returns the array the pump wrote: the
    /// shared frame itself, whole, when it is queued by reference.</summary>
    private static async Task<byte[]> SendOneAsync(ProtocolOptions options, PreparedMessage message)
    {
        (byte[] written, byte[][] arrays) = await WriteQueuedAsync(options, message);
        byte[] only = Assert.Single(arrays);
        Assert.Equal(only, written);
        return only;
    }

    /// <summary>Queues <paramref name="messages"/> on a fresh session, then starts its pump, which writes what was
    /// queued in one write: its bytes, and the arrays they came from.</summary>
    private static async Task<(byte[] Written, byte[][] Arrays)> WriteQueuedAsync(ProtocolOptions options, params PreparedMessage[] messages)
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(options, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        foreach (PreparedMessage message in messages) Assert.Equal(SendStatus.Queued, live.SendPrepared(message));
        var writer = new RecordingWriter();
        live.StartWriting(writer);
        Task pump = live.WhenWritten();
        (byte[] Written, byte[][] Arrays) first = await writer.First.Task.Bounded();
        live.Release();
        await pump.Bounded();
        return first;
    }

    private static string Inflate(byte[] payload)
    {
        // RFC 7692 §7.2.2: append 00 00 FF FF, then inflate as raw DEFLATE.
        using var input = new MemoryStream([.. payload, 0x00, 0x00, 0xFF, 0xFF]);
        using var inflater = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflater.CopyTo(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    // The first write: its bytes, and the arrays they came from.
    private sealed class RecordingWriter : IBatchWriter
    {
        public TaskCompletionSource<(byte[] Written, byte[][] Arrays)> First { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            Assert.True(MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> only));
            First.TrySetResult((bytes.ToArray(), [only.Array!]));
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total)
        {
            First.TrySetResult(([.. batch.SelectMany(segment => segment)], [.. batch.Select(segment => segment.Array!)]));
            return ValueTask.CompletedTask;
        }

        public void Abort() => throw new InvalidOperationException("No write fails here.");
    }
}
