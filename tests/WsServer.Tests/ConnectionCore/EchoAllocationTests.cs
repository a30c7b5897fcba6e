using System.Net;
using System.Net.Sockets;
using System.Text;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>A whole round trip on a real socket allocates nothing once warm, in every thread of the
/// process: the read, the session, the handler, the reply, the write, and the park until the next edge
/// (test.sh runs this on the thread pool, inline on the loop and on .NET's engine). The client is
/// synchronous calls on spans, so it allocates nothing either.</summary>
[Collection(nameof(EchoAllocationTests))] // alone: it counts what the whole process allocates
[CollectionDefinition(nameof(EchoAllocationTests), DisableParallelization = true)]
public sealed class EchoAllocationTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(1024)]
    [InlineData(20_000)] // more than the first receive array and the first outbox segment
    public async Task AnEchoRoundTripAllocatesNothingWhenWarm(int length)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        using Socket client = Upgrade(server.Port);
        byte[] frame = ClientFrame.Build(2, Enumerable.Range(0, length).Select(i => (byte)i).ToArray());
        byte[] reply = new byte[length + (length < 126 ? 2 : 4)];
        int wrong = 0; // counted, not asserted, inside the loop: an assertion may allocate itself
        void RoundTrip()
        {
            client.Send(frame);
            for (int read = 0; read < reply.Length;) read += client.Receive(reply.AsSpan(read));
            if (reply[0] != 0x82 || reply[^1] != (byte)(length - 1)) wrong++;
        }

        // Warm: until the runtime has compiled the path at its last tier (earlier tiers box what it need not).
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 500; i++) RoundTrip();
            await Task.Delay(200);
        }
        // Short windows, many of them: a round trip that allocated even a byte would show in every one,
        // while the process's own occasional work (a thread the pool adds on a loaded machine, a timer of
        // an earlier test's objects) misses some: the shorter the window, the more it misses.
        long[] windows = AllocationWindows.Measure(RoundTrip, AllocationWindows.WholeProcess, warmSteps: 0, windows: 100, stepsPerWindow: 10);

        Assert.Equal(0, wrong);
        Assert.True(windows.Min() == 0, $"bytes allocated per window of 10 round trips of {length} B: {string.Join(", ", windows)}");
    }

    // Blocking calls only: a socket once used asynchronously allocates an operation per synchronous call.
    private static Socket Upgrade(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        socket.Send(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        var head = new List<byte>();
        byte[] one = new byte[1];
        while (head.Count < 4 || !head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            Assert.Equal(1, socket.Receive(one));
            head.Add(one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(head.ToArray()));
        return socket;
    }
}
