using System.Buffers;
using System.Text;
using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Tests.TestSupport;

/// <summary>HTTP heads as text, parsed over every split of their bytes, and serializer output as text.</summary>
public static class HttpHeads
{
    /// <summary>The RFC 6455 §1.2 sample client handshake.</summary>
    public const string SampleRequest =
        "GET /chat HTTP/1.1\r\n" +
        "Host: server.example.com\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Origin: http://example.com\r\n" +
        "Sec-WebSocket-Protocol: chat, superchat\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "\r\n";

    /// <summary>A minimal valid upgrade to <c>/</c> with <paramref name="extraLines"/> (each ending in CRLF) added.</summary>
    public static string Upgrade(string extraLines = "") =>
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraLines + "\r\n";

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Parses <paramref name="head"/> + <paramref name="trailing"/> over every split; asserts each
    /// parse is Done, leaves exactly <paramref name="trailing"/> unconsumed and gives the same request.</summary>
    public static UpgradeRequest ParseEverySplit(string head, string trailing = "", HandshakeLimits? limits = null)
    {
        UpgradeRequest? first = null;
        foreach (ReadOnlySequence<byte> split in SegmentedSequence.AllSplits(Bytes(head + trailing)))
        {
            ReadOnlySequence<byte> input = split;
            OperationStatus status = UpgradeRequestParser.TryParse(ref input, limits ?? HandshakeLimits.Default,
                out UpgradeRequest? request, out HandshakeRejection? rejection);
            Assert.True(status == OperationStatus.Done, $"{status}: {rejection?.Reason}");
            Assert.Null(rejection);
            Assert.Equal(trailing, Encoding.Latin1.GetString(input.ToArray()));
            first ??= request;
            Assert.Equal(Describe(first!), Describe(request!));
        }
        return first!;
    }

    /// <summary>Parses <paramref name="text"/> over every split; asserts each parse is InvalidData with the
    /// same rejection and consumes nothing.</summary>
    public static HandshakeRejection RejectEverySplit(string text, HandshakeLimits? limits = null)
    {
        HandshakeRejection? first = null;
        foreach (ReadOnlySequence<byte> split in SegmentedSequence.AllSplits(Bytes(text)))
        {
            ReadOnlySequence<byte> input = split;
            OperationStatus status = UpgradeRequestParser.TryParse(ref input, limits ?? HandshakeLimits.Default,
                out UpgradeRequest? request, out HandshakeRejection? rejection);
            Assert.Equal(OperationStatus.InvalidData, status);
            Assert.Null(request);
            Assert.Equal(split.Length, input.Length);
            first ??= rejection;
            Assert.Equal(first, rejection);
        }
        return first!;
    }

    /// <summary>What a serializer wrote, as Latin-1 text.</summary>
    public static string Written(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    private static string Describe(UpgradeRequest request) =>
        $"{request.Method} {request.Target} {request.Path} {request.Query} {request.HttpVersion} " +
        string.Join("|", request.Headers.Select(field => $"{field.Key}={field.Value}"));
}
