using BenchmarkDotNet.Attributes;
using WsServer.Benchmarks.Support;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks.Connection;

/// <summary>One echoed message end to end through a real server on loopback: the client sends one
/// masked frame and reads the whole echoed frame back. The bar is 0 bytes allocated per message, by
/// the whole process: the client (<see cref="RawClient"/>) allocates nothing per frame, so whatever
/// the Allocated column shows is the server's.</summary>
[MemoryDiagnoser]
public class EchoBenchmarks : IThroughputBenchmark
{
    private LoopbackServer _server = null!;
    private RawClient _client = null!;
    private byte[] _frame = null!;
    private byte[] _echo = null!;

    [Params(Opcode.Text, Opcode.Binary)]
    public Opcode Opcode { get; set; }

    [Params(16, 1024, 16 * 1024, 64 * 1024)]
    public int PayloadSize { get; set; }

    public long BytesPerOperation => PayloadSize;

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackServer(new EchoHandler());
        byte[] payload = Opcode == Opcode.Text ? TextCorpus.Build(Corpus.Ascii, PayloadSize) : WireFrames.BinaryPayload(PayloadSize);
        _frame = ClientFrames.Masked(Opcode, payload);
        _echo = new byte[ClientFrames.ServerFrameLength(PayloadSize)];
        _client = RawClient.ConnectAndUpgrade(_server.EndPoint, new byte[1024]);

        // Check the bytes once, so the measured operation only has to read them.
        Echo();
        if (!_echo.AsSpan(_echo.Length - PayloadSize).SequenceEqual(payload))
            throw new InvalidOperationException("The echo differs from the message sent.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
    }

    [Benchmark]
    public byte Echo()
    {
        _client.Send(_frame);
        _client.ReceiveExactly(_echo);
        // FIN and the opcode: the same kind of message came back.
        if (_echo[0] != (0x80 | (byte)Opcode)) throw new InvalidOperationException("Not the echo of the message sent.");
        return _echo[^1];
    }
}
