using System.Buffers;
using System.Text;
using WsServer.Protocol.Handshake;

namespace WsServer.Fuzz.Targets;

/// <summary>The server's opening handshake: <see cref="UpgradeRequestParser.TryParse"/> fed in reads,
/// then <see cref="ServerHandshake.Validate"/> and <see cref="ServerHandshake.WriteAccept"/> or
/// <see cref="ServerHandshake.WriteRejection"/> on the result.</summary>
/// <remarks>Input: byte 0 is the control byte (low 5 bits the <see cref="ChunkPlan"/>; bit 5 tight
/// limits, to reach 431 and 414), the rest the request bytes. Oracles: NeedMoreData and InvalidData
/// consume nothing; the reads give the same answer as one read of everything; an accept written for a
/// valid request passes the client's own check (<see cref="ClientHandshake.TryReadResponse(ref ReadOnlySequence{byte}, string, HandshakeLimits, out HandshakeResponse?, out string?)"/>).</remarks>
public sealed class HandshakeTarget : IFuzzTarget
{
    private static readonly HandshakeLimits Tight = new() { MaxHeaderBytes = 256, MaxHeaderCount = 6, MaxLineLength = 96 };

    public string Name => "handshake";

    public IReadOnlyList<byte[]> Seeds { get; } = HandshakeSeeds.Build();

    public IReadOnlyList<byte[]> Dictionary => HandshakeSeeds.Tokens;

    public void Run(ReadOnlySpan<byte> input, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (input.IsEmpty)
            return;
        byte control = input[0];
        byte[] data = input[1..].ToArray();
        HandshakeLimits limits = (control & 0x20) != 0 ? Tight : HandshakeLimits.Default;

        var whole = new ReadOnlySequence<byte>(data);
        OperationStatus status = UpgradeRequestParser.TryParse(ref whole, limits, out UpgradeRequest? request,
            out HandshakeRejection? rejection);
        long consumed = data.Length - whole.Length;
        if (status != OperationStatus.Done && consumed != 0)
            throw new OracleException($"{status} consumed {consumed} bytes");
        features.Add(10, (int)status, rejection?.StatusCode ?? 0, rejection?.Reason.GetHashCode(StringComparison.Ordinal) ?? 0);
        features.Add(11, (int)status, FeatureSet.Bucket(consumed), FeatureSet.Bucket(data.Length));

        CheckChunkedAgrees(data, control, limits, status, consumed, rejection);
        var output = new ArrayBufferWriter<byte>();
        if (status == OperationStatus.InvalidData)
        {
            ServerHandshake.WriteRejection(output, rejection!);
        }
        else if (status == OperationStatus.Done)
        {
            Answer(request!, output, features);
        }
    }

    private static void Answer(UpgradeRequest request, ArrayBufferWriter<byte> output, FeatureSet features)
    {
        HandshakeRejection? refusal = ServerHandshake.Validate(request);
        features.Add(12, refusal?.StatusCode ?? 101, refusal?.Reason.GetHashCode(StringComparison.Ordinal) ?? 0,
            request.Subprotocols.Count + (10 * request.Extensions.Count));
        if (refusal is not null)
        {
            ServerHandshake.WriteRejection(output, refusal);
            return;
        }

        HandshakeAccept accept = request.Subprotocols.Count > 0
            ? new HandshakeAccept { Subprotocol = request.Subprotocols[0] }
            : HandshakeAccept.Plain;
        ServerHandshake.WriteAccept(output, request, accept);

        var response = new ReadOnlySequence<byte>(output.WrittenMemory);
        OperationStatus read = ClientHandshake.TryReadResponse(ref response, request.Headers["Sec-WebSocket-Key"]!,
            HandshakeLimits.Default, out _, out string? error);
        if (read != OperationStatus.Done || error is not null)
            throw new OracleException($"our 101 fails the client's check: {read} {error}");
    }

    /// <summary>Parsing in the reads of the chunk plan ends as parsing everything at once did.</summary>
    private static void CheckChunkedAgrees(byte[] data, byte control, HandshakeLimits limits,
        OperationStatus expected, long expectedConsumed, HandshakeRejection? expectedRejection)
    {
        var plan = new ChunkPlan(control);
        if (plan.MaxChunk == 0)
            return;
        var feed = new ChunkedFeed();
        int offset = 0;
        OperationStatus status = OperationStatus.NeedMoreData;
        HandshakeRejection? rejection = null;
        long consumed = 0;
        while (offset < data.Length)
        {
            int count = Math.Min(plan.Next(), data.Length - offset);
            feed.Append(data.AsMemory(offset, count));
            offset += count;
            ReadOnlySequence<byte> unread = feed.Sequence();
            ReadOnlySequence<byte> input = unread;
            status = UpgradeRequestParser.TryParse(ref input, limits, out _, out rejection);
            consumed = unread.Length - input.Length;
            if (status != OperationStatus.Done && consumed != 0)
                throw new OracleException($"{status} consumed {consumed} bytes after {offset} bytes in reads");
            if (status != OperationStatus.NeedMoreData)
                break;
        }

        if (status != expected || rejection?.StatusCode != expectedRejection?.StatusCode
            || (status == OperationStatus.Done && consumed != expectedConsumed))
        {
            throw new OracleException(
                $"reads gave {status} {rejection?.StatusCode} '{rejection?.Reason}' after {offset} bytes, one read "
                + $"{expected} {expectedRejection?.StatusCode} '{expectedRejection?.Reason}'");
        }
    }
}

/// <summary>The seed corpus and dictionary of the handshake target.</summary>
internal static class HandshakeSeeds
{
    public static IReadOnlyList<byte[]> Tokens { get; } =
    [
        .. new[]
        {
            "\r\n", "\r\n\r\n", ": ", ":", " ", "\t", ",", ";", "=", "\"", "GET ", "POST ", " HTTP/1.1", " HTTP/1.0",
            " HTTP/2.0", "Host: ", "Upgrade: websocket", "Connection: Upgrade", "Connection: keep-alive, Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Protocol: ", "Sec-WebSocket-Extensions: ", "permessage-deflate",
            "client_max_window_bits", "server_no_context_takeover", "http://", "https://", "/?", "#", "%", "\u00ff",
            "Content-Length: ", "Transfer-Encoding: chunked", "Origin: ", "<script>", "\0",
        }.Select(Encoding.Latin1.GetBytes),
    ];

    public static IReadOnlyList<byte[]> Build()
    {
        const string Basic = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        string[] heads =
        [
            Basic + "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n",
            Basic + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, "
                + "x-webkit; a=\"1\"\r\n\r\n\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
            "GET ws://h:80/p?q=1 HTTP/1.1\r\nHost: h\r\nUpgrade: WebSocket\r\nConnection: keep-alive, upgrade\r\n"
                + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 8\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nX:  padded \t\r\n folded\r\n\r\n",
            // Request-smuggling shapes, one per rule (RequestSmugglingTests): two Host fields, obs-fold, a name
            // that is not a token, whitespace before the colon, a body framed by Content-Length, by chunked
            // Transfer-Encoding, and by both.
            Basic + "Sec-WebSocket-Version: 13\r\nHost: other.example\r\n\r\n",
            Basic + "Sec-WebSocket-Version: 13\r\nX-A: a\r\n\tb\r\n\r\n",
            Basic + "Sec-WebSocket-Version: 13\r\nX(A): a\r\n\r\n",
            Basic + "Sec-WebSocket-Version: 13\r\nTransfer-Encoding : chunked\r\n\r\n",
            Basic + "Sec-WebSocket-Version: 13\r\nContent-Length: 8\r\n\r\n\x81\x82\x37\xfa\x21\x3d\x7f\x93",
            Basic + "Sec-WebSocket-Version: 13\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n\x81\x82\x37\xfa\x21\x3d\x7f\x93\r\n0\r\n\r\n",
            Basic + "Sec-WebSocket-Version: 13\r\nContent-Length: 8\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ];
        byte[] controls = [0x00, 0x05, 0x1F | 0x20];
        return [.. heads.SelectMany(head => controls.Select(c => (byte[])[c, .. Encoding.Latin1.GetBytes(head)]))];
    }
}
