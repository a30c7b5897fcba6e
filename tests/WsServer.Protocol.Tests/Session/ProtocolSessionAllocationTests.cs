using System.Buffers;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

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
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            RoundTrip();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(SessionState.Open, server.State);
    }
}
