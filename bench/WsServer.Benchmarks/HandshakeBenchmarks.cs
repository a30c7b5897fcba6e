using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using WsServer.Protocol.Handshake;

namespace WsServer.Benchmarks;

/// <summary>The opening handshake (RFC 6455 §4.2) of a typical browser: parse the request head,
/// validate it, write the 101 answer into a reused buffer. The request object and its strings are
/// allocated per handshake by design (it is handed to the application); framing is where the zero
/// allocation bar applies.</summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private const string ChromeRequest =
        "GET /chat?room=lobby HTTP/1.1\r\n" +
        "Host: example.com:8080\r\n" +
        "Connection: Upgrade\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        "Upgrade: websocket\r\n" +
        "Origin: https://example.com\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "\r\n";

    private readonly byte[] _request = Encoding.ASCII.GetBytes(ChromeRequest);
    private readonly ArrayBufferWriter<byte> _output = new(1024);

    [Benchmark]
    public int ParseValidateAccept()
    {
        var input = new ReadOnlySequence<byte>(_request);
        if (UpgradeRequestParser.TryParse(ref input, HandshakeLimits.Default, out UpgradeRequest? request, out _)
                != OperationStatus.Done
            || ServerHandshake.Validate(request!) is not null)
        {
            throw new InvalidOperationException("The benchmark request is not a valid upgrade.");
        }

        _output.ResetWrittenCount();
        ServerHandshake.WriteAccept(_output, request!, HandshakeAccept.Plain);
        return _output.WrittenCount;
    }
}
