using System.Buffers;
using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks;

/// <summary>Writing one binary message as a server frame (RFC 6455 §5.2, unmasked): our session into
/// a reused buffer writer, against the BCL's server WebSocket sending into a rewound MemoryStream.</summary>
[MemoryDiagnoser]
public class FrameWriteBenchmarks : IThroughputBenchmark
{
    private readonly ProtocolSession _session = new(EndpointRole.Server);
    private ArrayBufferWriter<byte> _output = null!;
    private MemoryStream _stream = null!;
    private WebSocket _socket = null!;
    private byte[] _payload = [];

    [Params(16, 4 * 1024, 1024 * 1024)]
    public int PayloadSize { get; set; }

    public long BytesPerOperation => PayloadSize;

    [GlobalSetup]
    public void Setup()
    {
        _payload = WireFrames.BinaryPayload(PayloadSize);
        _output = new ArrayBufferWriter<byte>(PayloadSize + 14);
        _stream = new MemoryStream(PayloadSize + 14);
        _socket = WebSocket.CreateFromStream(_stream,
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _socket.Dispose();
        _session.Dispose();
    }

    [Benchmark]
    public int ProtocolSession()
    {
        _output.ResetWrittenCount();
        _session.WriteMessage(_output, MessageKind.Binary, _payload);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    public long BclWebSocket()
    {
        _stream.Position = 0;
        ValueTask send = _socket.SendAsync(_payload.AsMemory(), WebSocketMessageType.Binary, endOfMessage: true, default);
        if (!send.IsCompletedSuccessfully)
            send.AsTask().GetAwaiter().GetResult();
        return _stream.Position;
    }
}
