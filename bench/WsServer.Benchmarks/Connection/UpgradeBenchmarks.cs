using System.Globalization;
using System.Net;
using BenchmarkDotNet.Attributes;

namespace WsServer.Benchmarks.Connection;

/// <summary>A connection's whole life, end to end: TCP connect, the opening handshake (GET with
/// Sec-WebSocket-Key, read the 101), a masked close frame, the server's close frame, its FIN, dispose.
/// Allocated counts the whole process: the client, the server, and the server finishing the connection
/// (which overlaps the next operation).</summary>
/// <remarks>
/// Whose bytes are whose: <see cref="CannedUpgradePeer"/> is the baseline, the same client against a
/// peer that only moves canned bytes, so the difference is what the WebSocket server adds to bare TCP.
/// The client and the canned peer each also count their own thread's allocations (their sockets are
/// blocking, so all their work stays on one thread) and print them at the end of the case as
/// "// Client thread: …".
/// </remarks>
[MemoryDiagnoser]
public class UpgradeBenchmarks
{
    private LoopbackServer _server = null!;
    private CannedUpgradePeer _peer = null!;
    private readonly byte[] _scratch = new byte[1024];
    private long _clientAllocated;
    private long _upgrades;

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackServer(new EchoHandler());
        _peer = new CannedUpgradePeer();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        double client = _upgrades == 0 ? 0 : (double)_clientAllocated / _upgrades;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// Client thread: {client:F0} B per upgrade; canned peer thread: {_peer.AllocatedPerConnection:F0} B per connection ({_upgrades} upgrades)"));
        _peer.Dispose();
        _server.Dispose();
    }

    [Benchmark]
    public void WsServer() => UpgradeAndClose(_server.EndPoint);

    [Benchmark(Baseline = true)]
    public void CannedPeer() => UpgradeAndClose(_peer.EndPoint);

    private void UpgradeAndClose(IPEndPoint endPoint)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (RawClient client = RawClient.ConnectAndUpgrade(endPoint, _scratch))
        {
            client.Send(ClientFrames.NormalClosure);
            int length = client.ReceiveShortFrame(_scratch);
            if (!_scratch.AsSpan(0, length).SequenceEqual(ClientFrames.NormalClosureEcho))
                throw new InvalidOperationException("The server's close frame is not the echo of the client's.");
            // RFC 6455 §7.1.1: the server closes the TCP connection first.
            if (!client.ReceiveEnd(_scratch)) throw new InvalidOperationException("Bytes after the close frame.");
        }
        _clientAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
        _upgrades++;
    }
}
