using System.Buffers.Binary;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The outbox writes whatever was queued, in order, in batches of at most
/// <see cref="IBatchWriter.MaxSegments"/> arrays, through writes that wait; and once everything is
/// written it holds nothing: no array, no list.</summary>
// Alone, with the whole-process allocation tests: a multi-segment write rents 16 KiB arrays from the server-wide
// pool, which tests running beside it drain, and each array it then finds missing counts as its own allocation.
[Collection(nameof(EchoAllocationTests))]
public sealed class SendQueueTests
{
    // Each iteration queues a broadcast frame (by reference) then a frame of the connection's own, which
    // cannot share the segment before it: two segments each, well past one batch.
    private const int PairsPerBurst = 75;

    [Theory]
    [InlineData(false, 0)] // one frame alone, written without a list, waits; the bursts queue behind it
    [InlineData(true, 0)] // the first batch of a burst waits
    [InlineData(true, 2)] // its last batch waits: the burst's first batches are written, the rest not
    public async Task SharedAndOwnFramesGoOutInOrderThroughAWriteThatWaits(bool burstFirst, int waitingWrite)
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 1 << 24, SlowConsumerPolicy.Wait, metrics);
        var writer = new RecordingWriter(waitingWrite);
        var expected = new List<byte[]>();

        // Queued before there is a transport: the first write takes all of it.
        if (burstFirst) QueueBurst(live, expected);
        else QueueOwn(live, expected, 100);
        live.StartWriting(writer);
        Task pump = live.WhenWritten();
        await writer.Waiting.Task.Bounded();

        // The socket is full: everything queued meanwhile waits for it, then goes out after.
        QueueBurst(live, expected);
        Assert.False(live.IsSendIdle);
        writer.Resume();

        Assert.True(await Timeouts.Eventually(() => live.IsSendIdle), "the outbox should be empty once written");
        Assert.Equal(expected, Frames(writer.Written()));
        Assert.All(writer.BatchSizes, count => Assert.InRange(count, 0, IBatchWriter.MaxSegments));
        Assert.Contains(IBatchWriter.MaxSegments, writer.BatchSizes); // a burst is cut into full batches
        if (!burstFirst) Assert.Equal(0, writer.BatchSizes[0]); // the lone frame: no list
        live.Release();
        await pump.Bounded();
    }

    [Fact]
    public async Task AMultiSegmentWriteAllocatesNothingWhenWarm()
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        var writer = new RecordingWriter(waitingWrite: -1, record: false);
        live.StartWriting(writer);
        Task written = live.WhenWritten();
        // Larger than a segment: two of them, written as one batch, on this thread (deferred, flushed
        // here, and the writer completes at once), so every allocation of the path is counted.
        byte[] payload = new byte[20 * 1024];

        int refused = 0; // counted, not asserted, inside the loop: an assertion may allocate itself
        void Message()
        {
            if (live.Send(MessageKind.Binary, payload, defer: true) != SendStatus.Queued) refused++;
            live.Flush();
        }

        long[] windows = AllocationWindows.Measure(Message, AllocationWindows.ThisThread);

        Assert.True(windows.Min() == 0, $"bytes allocated per window of 100 messages: {string.Join(", ", windows)}");
        Assert.Equal(0, refused);
        Assert.True(live.IsSendIdle);
        Assert.Equal(550, writer.ListWrites);
        Assert.Equal(550L * (payload.Length + 4), writer.Bytes); // a 4-byte header each
        live.Release();
        await written.Bounded();
    }

    [Fact]
    public async Task APeerThatStopsReadingGetsEveryFrameInOrderWhenItReadsAgain()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o => o.SendQueueLimit = 16 * 1024 * 1024);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        WebSocketConnection connection = await handler.FirstOpened.Task.Bounded();

        // The peer reads nothing: once the socket buffers are full the writes wait, and frames pile up
        // in the outbox, shared and own in turn. Bounded: 4,000 pairs of 8 KiB is far past any buffer.
        var expected = new List<byte[]>();
        for (int i = 0; i < 4000 && connection.PendingSendBytes < 1024 * 1024; i++)
        {
            byte[] shared = Payload(expected.Count, 8 * 1024);
            Assert.Equal(SendStatus.Queued, connection.TrySend(PreparedMessage.Binary(shared)));
            expected.Add(shared);
            byte[] own = Payload(expected.Count, 8 * 1024);
            Assert.Equal(SendStatus.Queued, connection.TrySend(own));
            expected.Add(own);
        }
        Assert.True(connection.PendingSendBytes >= 1024 * 1024, "the writes should have had to wait");

        foreach (byte[] payload in expected)
        {
            ReceivedFrame frame = (await client.ReadFrameAsync().Bounded())!.Value;
            Assert.Equal(payload, frame.Payload);
        }
        Assert.True(await Timeouts.Eventually(() => connection.Live.IsSendIdle));
    }

    private static void QueueBurst(LiveSession live, List<byte[]> expected)
    {
        for (int i = 0; i < PairsPerBurst; i++)
        {
            byte[] shared = Payload(expected.Count, SendQueue.SharedCopyLimit + 50); // queued by reference
            Assert.Equal(SendStatus.Queued, live.SendPrepared(PreparedMessage.Binary(shared)));
            expected.Add(shared);
            QueueOwn(live, expected, 30 + i);
        }
        // Larger than a segment: one frame across several.
        QueueOwn(live, expected, 40 * 1024);
    }

    private static void QueueOwn(LiveSession live, List<byte[]> expected, int length)
    {
        byte[] own = Payload(expected.Count, length);
        Assert.Equal(SendStatus.Queued, live.Send(MessageKind.Binary, own));
        expected.Add(own);
    }

    // Tells the frames apart: the index first, then a byte of it.
    private static byte[] Payload(int index, int length)
    {
        byte[] payload = new byte[length];
        payload.AsSpan().Fill((byte)index);
        BinaryPrimitives.WriteInt32BigEndian(payload, index);
        return payload;
    }

    // The server's unmasked binary frames, each whole (FIN), back to payloads.
    private static List<byte[]> Frames(byte[] bytes)
    {
        var frames = new List<byte[]>();
        int at = 0;
        while (at < bytes.Length)
        {
            Assert.Equal(0x82, bytes[at]);
            int length = bytes[at + 1];
            at += 2;
            if (length == 126)
            {
                length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));
                at += 2;
            }
            else if (length == 127)
            {
                length = checked((int)BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(at)));
                at += 8;
            }
            frames.Add(bytes[at..(at + length)]);
            at += length;
        }
        return frames;
    }

    /// <summary>Keeps what is written and how; write number <c>waitingWrite</c> waits, as on a full
    /// socket, until <see cref="Resume"/>.</summary>
    private sealed class RecordingWriter(int waitingWrite, bool record = true) : IBatchWriter
    {
        private readonly MemoryStream _written = new();
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writes;

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Arrays per write, in order: 0 for a write of one array without a list.</summary>
        public List<int> BatchSizes { get; } = [];

        public long Bytes;

        public int ListWrites;

        public void Resume() => _resume.TrySetResult();

        public byte[] Written()
        {
            lock (_written) return _written.ToArray();
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            if (record) Record(0, bytes.Span);
            return Complete(bytes.Length);
        }

        public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total)
        {
            ListWrites++;
            if (record)
            {
                Assert.Equal(total, batch.Sum(segment => segment.Count));
                foreach (ArraySegment<byte> segment in batch) Record(-1, segment);
                lock (_written) BatchSizes.Add(batch.Count);
            }
            return Complete(total);
        }

        public void Abort() => throw new InvalidOperationException("No write fails here.");

        private void Record(int batchSize, ReadOnlySpan<byte> bytes)
        {
            lock (_written)
            {
                _written.Write(bytes);
                if (batchSize >= 0) BatchSizes.Add(batchSize);
            }
        }

        private ValueTask Complete(int bytes)
        {
            Bytes += bytes;
            if (_writes++ != waitingWrite) return ValueTask.CompletedTask;
            Waiting.TrySetResult();
            return new ValueTask(_resume.Task);
        }
    }
}
