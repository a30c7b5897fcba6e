using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>A large message the loop's flush would carry alone (its reply to the last message of a read) is sent at
/// once, its header and payload in one call from where the payload lies, not copied into the queue; whatever could
/// be overtaken or batched (bytes queued before it, more of the read to come, another thread's send) keeps the queue.</summary>
public sealed class SendAtOnceTests : IDisposable
{
    private const int Large = LiveSession.AtOnceMinimum + 904; // 5,000 B: a 4-byte header (§5.2, 126 + 16 bits)

    private readonly ServerInstruments _metrics = new(null, () => 0);

    [Fact]
    public void ALargeReplyToTheLastMessageOfAReadGoesAtOnceFromWhereItLies()
    {
        byte[] payload = Payload(Large);
        var writer = new SocketLikeWriter(takes: int.MaxValue) { Expected = payload };
        LiveSession live = Started(writer);
        ReadAll(live, ClientFrame.Build(2, [1]));

        Assert.Equal(SendStatus.Queued, live.Send(MessageKind.Binary, payload, defer: true));
        live.Flush();

        Assert.Equal((1, 0, true), (writer.AtOnce, writer.Writes, writer.PayloadInPlace));
        Assert.Equal(Frame(payload), writer.Sent);
        Assert.True(live.IsSendIdle);
    }

    [Theory]
    [InlineData(0)]     // the socket's buffer is full
    [InlineData(3)]     // part of the header
    [InlineData(1_000)] // part of the payload
    public void WhatTheSocketDoesNotTakeIsQueuedAndWrittenAfterIt(int takes)
    {
        byte[] payload = Payload(Large);
        var writer = new SocketLikeWriter(takes);
        LiveSession live = Started(writer);
        ReadAll(live, ClientFrame.Build(2, [1]));

        live.Send(MessageKind.Binary, payload, defer: true);
        Assert.Equal(takes, writer.Sent.Count);
        live.Flush();

        Assert.Equal((1, 1), (writer.AtOnce, writer.Writes));
        Assert.Equal(Frame(payload), writer.Sent);
    }

    [Fact]
    public void ALargeReplyToASmallMessageAlsoGoesAtOnce()
    {
        var writer = new SocketLikeWriter(takes: int.MaxValue);
        LiveSession live = Started(writer);
        var input = new ReadOnlySequence<byte>(ClientFrame.Build(2, [1, 2, 3]));
        Assert.True(live.TryReadSmallMessage(ref input, out _, out _));

        live.Send(MessageKind.Binary, Payload(Large), defer: true);

        Assert.Equal(1, writer.AtOnce);
    }

    [Fact]
    public void ALargeReplyWithMoreOfTheReadToComeWaitsForTheFlush()
    {
        byte[] payload = Payload(Large);
        var writer = new SocketLikeWriter(takes: int.MaxValue);
        LiveSession live = Started(writer);
        var input = new ReadOnlySequence<byte>([.. ClientFrame.Build(2, Payload(200)), .. ClientFrame.Build(2, [1])]);
        Assert.Equal(OperationStatus.Done, live.TryReadEvent(ref input, out _));

        live.Send(MessageKind.Binary, payload, defer: true);
        live.Send(MessageKind.Binary, payload, defer: true); // the second message's reply
        live.Flush();

        Assert.Equal((0, 1), (writer.AtOnce, writer.Writes));
        Assert.Equal([.. Frame(payload), .. Frame(payload)], writer.Sent);
    }

    [Fact]
    public void ALargeReplyBehindQueuedBytesKeepsItsPlace()
    {
        byte[] payload = Payload(Large);
        var writer = new SocketLikeWriter(takes: int.MaxValue);
        LiveSession live = Started(writer);
        ReadAll(live, ClientFrame.Build(2, [1]));

        live.Send(MessageKind.Binary, [9], defer: true); // the handler's own send, before its reply
        live.Send(MessageKind.Binary, payload, defer: true);
        live.Flush();

        Assert.Equal((0, 1), (writer.AtOnce, writer.Writes));
        Assert.Equal([0x82, 1, 9, .. Frame(payload)], writer.Sent);
    }

    [Fact]
    public async Task ASendFromAnotherThreadIsNeverSentAtOnce()
    {
        byte[] payload = Payload(Large);
        var writer = new SocketLikeWriter(takes: int.MaxValue);
        LiveSession live = Started(writer);
        ReadAll(live, ClientFrame.Build(2, [1]));

        LiveSession? outer = live.EnterLoop();
        var elsewhere = new Thread(() => live.Send(MessageKind.Binary, payload)); // another thread, while the loop acts
        elsewhere.Start();
        elsewhere.Join();
        LiveSession.LeaveLoop(outer);

        Assert.True(await Timeouts.Eventually(() => writer.Bytes == Large + 4), "the send should be written");
        Assert.Equal((0, 1), (writer.AtOnce, writer.Writes));
    }

    [Fact]
    public void ATransportThatCannotSendAtOnceGetsTheFrameThroughTheQueue()
    {
        byte[] payload = Payload(Large);
        var writer = new SocketLikeWriter(takes: -1);
        LiveSession live = Started(writer);
        ReadAll(live, ClientFrame.Build(2, [1]));

        live.Send(MessageKind.Binary, payload, defer: true);
        live.Flush();

        Assert.Equal((1, 1), (writer.AtOnce, writer.Writes));
        Assert.Equal(Frame(payload), writer.Sent);
    }

    public void Dispose() => _metrics.Dispose();

    private LiveSession Started(SocketLikeWriter writer)
    {
        // As the server reads: a message in one piece is handed out where it lies.
        var reading = new ProtocolOptions { ReadMessagesInPlace = true, ReadWholeFramesUpTo = 4096 };
        var live = new LiveSession(reading, 1 << 20, SlowConsumerPolicy.Wait, _metrics);
        live.StartWriting(writer);
        return live;
    }

    private static void ReadAll(LiveSession live, byte[] frames)
    {
        var input = new ReadOnlySequence<byte>(frames);
        while (!input.IsEmpty) Assert.Equal(OperationStatus.Done, live.TryReadEvent(ref input, out _));
    }

    private static byte[] Payload(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7))];

    // A binary frame from a server: FIN, opcode 2, unmasked, 16-bit length.
    private static byte[] Frame(byte[] payload) => [0x82, 126, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    /// <summary>A socket whose buffer takes <c>takes</c> bytes of a send at once (-1: the transport cannot send at
    /// once), and every write in full; records the bytes in the order they went.</summary>
    private sealed class SocketLikeWriter(int takes) : IBatchWriter
    {
        private readonly List<byte> _sent = [];

        public int AtOnce;
        public int Writes;
        public long Bytes;
        public bool PayloadInPlace;
        public byte[]? Expected { get; init; }

        public List<byte> Sent
        {
            get { lock (_sent) return [.. _sent]; }
        }

        public long TrySendNow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload)
        {
            AtOnce++;
            if (takes < 0) return -1;
            PayloadInPlace = Expected is not null
                && Unsafe.AreSame(ref MemoryMarshal.GetReference(payload), ref MemoryMarshal.GetArrayDataReference(Expected));
            byte[] frame = [.. head, .. payload];
            int taken = Math.Min(takes, frame.Length);
            Record(frame.AsSpan(0, taken));
            return taken;
        }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            Interlocked.Increment(ref Writes);
            Record(bytes.Span);
            return default;
        }

        public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total)
        {
            Interlocked.Increment(ref Writes);
            foreach (ArraySegment<byte> segment in batch) Record(segment);
            return default;
        }

        public void Abort() => throw new InvalidOperationException("No write fails here.");

        private void Record(ReadOnlySpan<byte> bytes)
        {
            lock (_sent) _sent.AddRange(bytes);
            Interlocked.Add(ref Bytes, bytes.Length);
        }
    }
}
