using WsServer.Connections;
using WsServer.Diagnostics;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>A connection's per-message path allocates nothing once warm: taking the turn, queuing a
/// reply, flushing it through the outbox, giving the turn back; and an idle outbox keeps nothing.</summary>
public sealed class SendPathAllocationTests
{
    [Fact]
    public async Task TheTurnAndAReplyAllocateNothingWhenWarm()
    {
        using var metrics = new ServerInstruments(null, () => 0);
        var live = new LiveSession(ProtocolOptions.Default, 1 << 20, SlowConsumerPolicy.Wait, metrics);
        var turn = new HandlerTurn();
        var writer = new SynchronousWriter();
        live.StartWriting(writer);
        Task written = live.WhenWritten();
        byte[] payload = new byte[200];

        int refused = 0; // counted, not asserted, inside the loop: an assertion may allocate itself
        void Message()
        {
            if (!turn.EnterAsync().IsCompletedSuccessfully) refused++;
            if (live.Send(MessageKind.Binary, payload, defer: true) != SendStatus.Queued) refused++;
            live.Flush();
            turn.Exit();
        }

        long[] windows = AllocationWindows.Measure(Message, AllocationWindows.ThisThread);

        Assert.True(windows.Min() == 0, $"bytes allocated per window of 100 messages: {string.Join(", ", windows)}");
        Assert.Equal(0, refused);
        Assert.Equal(550L * (payload.Length + 4), writer.Bytes); // 200 bytes: a 4-byte header each
        Assert.True(live.IsSendIdle, "an idle outbox should hold no array and no list");
        live.Release();
        await written.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private sealed class SynchronousWriter : IBatchWriter
    {
        public long Bytes;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            Bytes += bytes.Length;
            return ValueTask.CompletedTask;
        }

        public ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total)
        {
            Bytes += total;
            return ValueTask.CompletedTask;
        }

        public void Abort() => throw new InvalidOperationException("No write fails here.");
    }
}
