using System.Buffers;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Tests.Session;

/// <summary>The steady path allocates nothing: reading and writing messages, pings and pongs
/// (RFC 6455 §5.6 and §5.5.2), once the pool and the session are warm.</summary>
public class ProtocolSessionAllocationTests
{
    [Fact]
    public void ReadingAndWritingMessagesAndPingsAllocatesNothingWhenWarm()
    {
        using var server = new ProtocolSession(EndpointRole.Server);
        using var client = new ProtocolSession(EndpointRole.Client);
        var wire = new ArrayBufferWriter<byte>(1 << 16);
        var replies = new ArrayBufferWriter<byte>(1 << 16);
        byte[] text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("héllo wörld ", 100)));
        byte[] binary = new byte[3000];

        void RoundTrip()
        {
            wire.ResetWrittenCount();
            replies.ResetWrittenCount();
            client.WriteMessage(wire, MessageKind.Text, text);
            client.WriteMessage(wire, MessageKind.Binary, binary);
            client.WritePing(wire, "ping"u8);
            client.WritePong(wire, "pong"u8);
            var input = new ReadOnlySequence<byte>(wire.WrittenMemory);
            while (server.TryReadEvent(ref input, replies, out _) == OperationStatus.Done)
            {
            }
        }

        for (int i = 0; i < 50; i++)
            RoundTrip();
        // Several windows of 100 round trips: an allocation per round trip shows in every one of them,
        // while a one-off (the shared array pool refilling a bucket that parallel tests emptied, a
        // method's tier-up) can land in one. At least one window must be clean.
        long[] windows = new long[5];
        for (int w = 0; w < windows.Length; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
                RoundTrip();
            windows[w] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(windows.Min() == 0, $"bytes allocated per window of 100 round trips: {string.Join(", ", windows)}");
        Assert.Equal(SessionState.Open, server.State);
    }
}
