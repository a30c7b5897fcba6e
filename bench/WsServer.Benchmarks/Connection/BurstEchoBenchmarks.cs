using System.Net;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Handshake;
using WsServer.Routing;

namespace WsServer.Benchmarks.Connection;

/// <summary>The server's own code per echoed message, with no socket: a connection upgraded through
/// <see cref="WebSocketServer.AcceptUpgradeAsync"/> reads bursts of <see cref="Burst"/> masked 32-byte frames
/// from a <see cref="BurstStream"/>, as the echo load at 16 in flight hands them over, and answers each. No
/// kernel, no thread hop: what is left is frame reading, dispatch, the handler's turn and call, and encoding
/// the reply, the user time the load test measures beside the syscalls. Mean and Allocated are per message.
/// <see cref="EchoOne"/> reads one frame at a time, as the echo load at 1 in flight does: the work of a read
/// (taking the input, the message buffer, the reply's segment, the write) is then all per message.</summary>
[MemoryDiagnoser]
public class BurstEchoBenchmarks
{
    private const int Burst = 16;
    private const int PayloadSize = 32;
    private static readonly int EchoLength = ClientFrames.ServerFrameLength(PayloadSize);

    private WebSocketServer _server = null!;
    private BurstStream _stream = null!;
    private Task _serving = null!;
    private byte[] _burst = null!;
    private byte[] _single = null!;
    private long _expected;

    [GlobalSetup]
    public void Setup()
    {
        _server = new WebSocketServer(new ServerOptions
        {
            // Nothing answers pings here; keep-alive and the idle timeout would close the connection.
            KeepAliveInterval = Timeout.InfiniteTimeSpan,
            IdleTimeout = Timeout.InfiniteTimeSpan,
            DrainTimeout = TimeSpan.FromSeconds(1),
        });
        _server.StartWithoutListeners();
        var peer = new IPEndPoint(IPAddress.Loopback, 1);
        HostedUpgrade upgrade = _server.AcceptUpgradeAsync(Request(), WebSocketRoute.Create("/", new EchoHandler()),
            new HostedPeer(peer, peer)).AsTask().GetAwaiter().GetResult();
        if (!upgrade.IsAccepted) throw new InvalidOperationException($"Refused: {upgrade.Rejection}");
        _stream = new BurstStream();
        _serving = upgrade.RunAsync(_stream, static () => { });
        _single = ClientFrames.Masked(Opcode.Binary, new byte[PayloadSize]);
        _burst = [.. Enumerable.Range(0, Burst).SelectMany(_ => _single)];

        LoopbackServer.WaitUntil(() => _stream.Feed(_burst), "the server's first read");
        _expected = Burst * EchoLength;
        LoopbackServer.WaitUntil(() => _stream.Written == _expected, "the echoes of the first burst");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    public long Echo() => FeedAndCheck(_burst, Burst);

    [Benchmark]
    public long EchoOne() => FeedAndCheck(_single, 1);

    /// <summary>The cheapest system call (<c>getppid</c>), the figure to subtract from the two below.</summary>
    [Benchmark]
    public int SystemCall() => getppid();

    /// <summary><see cref="EchoOne"/> as a loaded server runs it: right after a system call, as each read follows
    /// a <c>recv</c> and each reply a <c>send</c>. On a kernel with page-table isolation and no PCID every system
    /// call empties the TLB, so this shows what the pages a read touches cost beyond the code itself.</summary>
    [Benchmark]
    public long EchoOneAfterSystemCall()
    {
        getppid();
        return FeedAndCheck(_single, 1);
    }

    /// <summary>A burst of 16 (<see cref="Echo"/>) right after a system call; per burst, not per message.</summary>
    [Benchmark]
    public long BurstAfterSystemCall()
    {
        getppid();
        return FeedAndCheck(_burst, Burst);
    }

    [DllImport("libc"), SuppressGCTransition]
    private static extern int getppid();

    private long FeedAndCheck(byte[] frames, int count)
    {
        // The whole read is handled and answered on this thread, before Feed returns.
        if (!_stream.Feed(frames)) throw new InvalidOperationException("The server was not reading.");
        _expected += count * EchoLength;
        if (_stream.Written != _expected) throw new InvalidOperationException("The read was not answered in the call.");
        return _expected;
    }

    private static UpgradeRequest Request()
    {
        var headers = new HttpHeaders();
        headers.Add("Host", "127.0.0.1");
        headers.Add("Upgrade", "websocket");
        headers.Add("Connection", "Upgrade");
        headers.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.Add("Sec-WebSocket-Version", "13");
        headers.MakeReadOnly();
        return new UpgradeRequest
        {
            Method = "GET", Target = "/", Path = "/", Query = "", HttpVersion = HttpVersion.Version11, Headers = headers,
        };
    }
}
