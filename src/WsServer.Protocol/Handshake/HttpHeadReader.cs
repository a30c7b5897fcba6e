using System.Buffers;
using System.Text;

namespace WsServer.Protocol.Handshake;

/// <summary>Reads an HTTP/1.1 message head, request or response (RFC 9112 §2.1:
/// <c>start-line *( field-line CRLF ) CRLF</c>), for <see cref="UpgradeRequestParser"/> and
/// <see cref="ClientHandshake"/>.</summary>
/// <remarks>Two passes. The first frames the head: it walks line feeds with a vectorized search, checks
/// each line's terminator and length, counts the fields and stops at the blank line; it never looks past
/// <see cref="HandshakeLimits.MaxHeaderBytes"/>, so a peer cannot make it buffer forever. Only a complete
/// head reaches the second pass, which parses it as one span (copied to a pooled buffer when it arrived
/// in several segments), so an incomplete head costs no allocation and is rescanned from its start on the
/// next call, which consumes nothing until then.</remarks>
internal static class HttpHeadReader
{
    /// <summary>Parses the start line (without its CRLF); returns null on success.</summary>
    internal delegate HandshakeRejection? StartLineParser<T>(ReadOnlySpan<byte> line, out T start);

    private static readonly string[] KnownNames =
    [
        "Host", "Upgrade", "Connection", "Origin", "User-Agent", "Accept", "Cache-Control", "Pragma",
        "Accept-Encoding", "Accept-Language", "Cookie", "Authorization", "Content-Type", "Content-Length",
        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
        "Sec-WebSocket-Accept", "Server", "Date",
    ];

    // The last value of each known field, for the fields whose values repeat across connections; null for
    // those that never repeat or must not outlive their request in a static (keys, cookies, credentials).
    private static readonly string?[] s_lastValues = CreateLastValues(except: ["Cookie", "Authorization", "Sec-WebSocket-Key",
        "Sec-WebSocket-Accept", "Date", "Content-Length"]);

    private static string?[] CreateLastValues(string[] except) =>
        Array.ConvertAll(KnownNames, name => except.Contains(name) ? null : "");

    /// <summary>Done: the head is parsed and <paramref name="input"/> sliced past its blank line.
    /// NeedMoreData: nothing consumed. InvalidData: nothing consumed; <paramref name="rejection"/> says why.</summary>
    internal static OperationStatus TryRead<T>(ref ReadOnlySequence<byte> input, HandshakeLimits limits,
        StartLineParser<T> parseStartLine, out T? start, out HttpHeaders? headers, out HandshakeRejection? rejection)
    {
        ArgumentNullException.ThrowIfNull(limits);
        start = default;
        headers = null;
        OperationStatus framed = TryFrame(input, limits, out long headLength, out rejection);
        if (framed != OperationStatus.Done) return framed;

        ReadOnlySequence<byte> head = input.Slice(0, headLength);
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> span = head.IsSingleSegment ? head.FirstSpan : CopyToPooled(head, out rented);
            rejection = Parse(span, parseStartLine, out start, out headers);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        if (rejection is not null) return OperationStatus.InvalidData;
        input = input.Slice(headLength);
        return OperationStatus.Done;
    }

    private static OperationStatus TryFrame(in ReadOnlySequence<byte> input, HandshakeLimits limits,
        out long headLength, out HandshakeRejection? rejection)
    {
        headLength = 0;
        rejection = null;
        ReadOnlySequence<byte> window = input.Length > limits.MaxHeaderBytes
            ? input.Slice(0, limits.MaxHeaderBytes + 1L)
            : input;
        var reader = new SequenceReader<byte>(window);
        int lines = 0;
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (reader.Consumed > limits.MaxHeaderBytes)
                return Fail(HeadTooLarge(limits), out rejection);
            // Checked first, with the same bound as the unfinished line below, so that an over-long line
            // gets the same answer whether its end arrived in this read or not.
            if (line.Length > limits.MaxLineLength + 1L)
                return Fail(LineTooLong(lines == 0, limits), out rejection);
            // RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator" —
            // we do not: a bare LF is refused, so every peer frames the head the same way we do.
            if (line.IsEmpty || line.Slice(line.Length - 1).FirstSpan[0] != (byte)'\r')
                return Fail(HandshakeRejection.BadRequest("a line ends with a bare LF instead of CRLF"), out rejection);
            if (line.Length == 1)
            {
                if (lines == 0)
                    return Fail(HandshakeRejection.BadRequest("the message starts with an empty line"), out rejection);
                headLength = reader.Consumed;
                return OperationStatus.Done;
            }
            if (++lines - 1 > limits.MaxHeaderCount)
                return Fail(HandshakeRejection.HeadersTooLarge($"more than {limits.MaxHeaderCount} header fields"), out rejection);
        }
        // The unfinished line may already end with its CR, hence the + 1.
        if (reader.Remaining > limits.MaxLineLength + 1L)
            return Fail(LineTooLong(lines == 0, limits), out rejection);
        if (window.Length > limits.MaxHeaderBytes)
            return Fail(HeadTooLarge(limits), out rejection);
        return OperationStatus.NeedMoreData;
    }

    private static HandshakeRejection? Parse<T>(ReadOnlySpan<byte> head, StartLineParser<T> parseStartLine,
        out T? start, out HttpHeaders? headers)
    {
        headers = null;
        int end = head.IndexOf("\r\n"u8);
        HandshakeRejection? rejection = parseStartLine(head[..end], out start);
        if (rejection is not null) return rejection;

        var fields = new HttpHeaders();
        ReadOnlySpan<byte> rest = head[(end + 2)..];
        while ((end = rest.IndexOf("\r\n"u8)) > 0)
        {
            rejection = ParseField(rest[..end], fields);
            if (rejection is not null) return rejection;
            rest = rest[(end + 2)..];
        }
        fields.MakeReadOnly();
        headers = fields;
        return null;
    }

    // RFC 9112 §5: field-line = field-name ":" OWS field-value OWS
    private static HandshakeRejection? ParseField(ReadOnlySpan<byte> line, HttpHeaders headers)
    {
        // RFC 9112 §5.2: "A server that receives an obs-fold in a request message ... MUST either reject
        // the message by sending a 400 (Bad Request) ... or replace each received obs-fold with one or more SP".
        if (line[0] is (byte)' ' or (byte)'\t')
            return HandshakeRejection.BadRequest("obsolete line folding (a line starting with whitespace) is not allowed");
        int colon = line.IndexOf((byte)':');
        if (colon < 0)
            return HandshakeRejection.BadRequest("a header line has no colon");
        ReadOnlySpan<byte> name = line[..colon];
        // RFC 9112 §5.1: "A server MUST reject, with a response status code of 400 (Bad Request), any
        // received request message that contains whitespace between a header field name and colon."
        if (name.Length > 0 && name[^1] is (byte)' ' or (byte)'\t')
            return HandshakeRejection.BadRequest("whitespace between a header name and its colon");
        // RFC 9110 §5.1: field-name = token; §5.6.2: token = 1*tchar.
        if (name.IsEmpty)
            return HandshakeRejection.BadRequest("a header name is empty");
        if (!HttpSyntax.IsToken(name))
            return HandshakeRejection.BadRequest("a header name holds a character not allowed in a token");
        ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(HttpSyntax.OwsBytes);
        // RFC 9110 §5.5: "Field values containing CR, LF, or NUL characters are invalid and dangerous".
        if (value.ContainsAny(HttpSyntax.ValueControlBytes))
            return HandshakeRejection.BadRequest("a header value holds a control character");
        int known = KnownIndex(name);
        string text = known >= 0 && s_lastValues[known] is not null ? SharedValue(known, value) : Encoding.Latin1.GetString(value);
        headers.Add(known >= 0 ? KnownNames[known] : Encoding.ASCII.GetString(name), text);
        return null;
    }

    private static int KnownIndex(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < KnownNames.Length; i++)
        {
            if (KnownNames[i].Length == name.Length && Ascii.Equals(name, KnownNames[i])) return i;
        }
        return -1;
    }

    // The clients of one server mostly send the same Host, Origin, User-Agent and the rest, and every
    // connection keeps its request's headers: the value a field had last is reused when the bytes are the
    // same, so idle connections share one copy. Racy by design (a lost update only costs a copy).
    private static string SharedValue(int known, ReadOnlySpan<byte> value)
    {
        string? last = Volatile.Read(ref s_lastValues[known]);
        if (last!.Length == value.Length && Ascii.Equals(value, last)) return last;
        string text = Encoding.Latin1.GetString(value);
        Volatile.Write(ref s_lastValues[known], text);
        return text;
    }

    private static ReadOnlySpan<byte> CopyToPooled(in ReadOnlySequence<byte> head, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent((int)head.Length);
        head.CopyTo(rented);
        return rented.AsSpan(0, (int)head.Length);
    }

    private static OperationStatus Fail(HandshakeRejection reason, out HandshakeRejection? rejection)
    {
        rejection = reason;
        return OperationStatus.InvalidData;
    }

    private static HandshakeRejection HeadTooLarge(HandshakeLimits limits) =>
        HandshakeRejection.HeadersTooLarge($"the message head is larger than {limits.MaxHeaderBytes} bytes");

    // 414 for the first line (its length is the target's), 431 for a header line.
    private static HandshakeRejection LineTooLong(bool firstLine, HandshakeLimits limits) => firstLine
        ? HandshakeRejection.UriTooLong($"the request line (first line) is longer than {limits.MaxLineLength} bytes")
        : HandshakeRejection.HeadersTooLarge($"a header line is longer than {limits.MaxLineLength} bytes");
}
