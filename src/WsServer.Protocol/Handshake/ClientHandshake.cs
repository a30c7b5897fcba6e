using System.Buffers;
using System.Text;

namespace WsServer.Protocol.Handshake;

/// <summary>The client side of the opening handshake (RFC 6455 §4.1): write the request, read and check the
/// server's answer.</summary>
public static class ClientHandshake
{
    private static readonly HttpHeadReader.StartLineParser<StatusLine> ParseStatusLineDelegate = ParseStatusLine;

    private static readonly string[] RequestFields =
    [
        "Host", "Upgrade", "Connection", "Origin", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
        "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
    ];

    /// <summary>Writes the GET request that asks for an upgrade (§4.1, §4.2.1), ending with its blank line.</summary>
    /// <exception cref="ArgumentException">The path does not start with <c>/</c> or holds a character not
    /// allowed in a URI; the host is empty; the key is not base64 of 16 bytes; a subprotocol is not a token
    /// or repeats; a header name is not a token or is one this method writes; a value holds CR, LF or
    /// another control character. Nothing is written then.</exception>
    public static void WriteRequest(IBufferWriter<byte> output, ClientRequest request)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);

        output.Write("GET "u8);
        HeadWriter.Write(output, request.Path);
        output.Write(" HTTP/1.1\r\nHost: "u8);
        HeadWriter.Write(output, request.Host);
        output.Write("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "u8);
        HeadWriter.Write(output, request.Key);
        output.Write("\r\nSec-WebSocket-Version: 13\r\n"u8);
        if (request.Origin is not null) HeadWriter.WriteField(output, "Origin", request.Origin);
        if (request.Subprotocols.Count > 0)
        {
            output.Write("Sec-WebSocket-Protocol: "u8);
            for (int i = 0; i < request.Subprotocols.Count; i++)
            {
                if (i > 0) output.Write(", "u8);
                HeadWriter.Write(output, request.Subprotocols[i]);
            }
            output.Write("\r\n"u8);
        }
        if (request.Extensions is not null) HeadWriter.WriteField(output, "Sec-WebSocket-Extensions", request.Extensions);
        foreach (KeyValuePair<string, string> field in request.Headers) HeadWriter.WriteField(output, field.Key, field.Value);
        output.Write("\r\n"u8);
    }

    /// <summary>Reads the server's answer to a request sent with <paramref name="key"/> and checks it (§4.1).
    /// Done: a valid 101; <paramref name="input"/> is sliced past the head (frames may follow in it).
    /// NeedMoreData: nothing is consumed. InvalidData with <paramref name="error"/>: when the head itself is
    /// malformed or over <paramref name="limits"/>, <paramref name="response"/> is null and nothing is consumed;
    /// otherwise (a status other than 101 — the error names it —, or a 101 that fails §4.1) the response is
    /// set and <paramref name="input"/> is sliced past its head, so a refusal's body can be read from it
    /// (its length is in <c>Content-Length</c>). The caller must then fail the WebSocket connection.</summary>
    public static OperationStatus TryReadResponse(ref ReadOnlySequence<byte> input, string key, HandshakeLimits limits,
        out HandshakeResponse? response, out string? error)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryReadResponse(ref input, key, offered: null, limits, out response, out error);
    }

    /// <summary>As <see cref="TryReadResponse(ref ReadOnlySequence{byte}, string, HandshakeLimits, out HandshakeResponse?, out string?)"/>
    /// with the request's key, also checking that the chosen subprotocol and every accepted extension were
    /// offered in <paramref name="request"/> (§4.1 items 5 and 6).</summary>
    public static OperationStatus TryReadResponse(ref ReadOnlySequence<byte> input, ClientRequest request,
        HandshakeLimits limits, out HandshakeResponse? response, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TryReadResponse(ref input, request.Key, request, limits, out response, out error);
    }

    private static OperationStatus TryReadResponse(ref ReadOnlySequence<byte> input, string key, ClientRequest? offered,
        HandshakeLimits limits, out HandshakeResponse? response, out string? error)
    {
        response = null;
        error = null;
        OperationStatus status = HttpHeadReader.TryRead(ref input, limits, ParseStatusLineDelegate,
            out StatusLine line, out HttpHeaders? headers, out HandshakeRejection? rejection);
        if (status == OperationStatus.NeedMoreData) return status;
        if (status == OperationStatus.InvalidData)
        {
            error = $"malformed response: {rejection!.Reason}";
            return status;
        }
        response = new HandshakeResponse
        {
            HttpVersion = line.Version,
            StatusCode = line.StatusCode,
            ReasonPhrase = line.ReasonPhrase,
            Headers = headers!,
        };
        error = ClientResponseCheck.Check(response, key, offered);
        return error is null ? OperationStatus.Done : OperationStatus.InvalidData;
    }

    private static void Validate(ClientRequest request)
    {
        // §4.1: the request-target is the /resource name/ (RFC 3986 visible ASCII, no fragment).
        if (!request.Path.StartsWith('/') || request.Path.AsSpan().IndexOfAnyExceptInRange('!', '~') >= 0
            || request.Path.Contains('#', StringComparison.Ordinal))
            throw new ArgumentException("The path must start with '/' and hold only visible ASCII, no fragment.", nameof(request));
        HttpSyntax.EnsureWritableValue(request.Host, nameof(request));
        if (request.Host.Length == 0) throw new ArgumentException("The host is empty.", nameof(request));
        if (!AcceptKey.IsValidKey(request.Key))
            throw new ArgumentException("The key is not the base64 encoding of 16 bytes.", nameof(request));
        // §4.1 item 10: "The elements that comprise this value MUST be non-empty strings with characters in
        // the range U+0021 to U+007E not including separator characters ... and MUST all be unique strings."
        for (int i = 0; i < request.Subprotocols.Count; i++)
        {
            string subprotocol = request.Subprotocols[i];
            if (!HttpSyntax.IsToken(subprotocol))
                throw new ArgumentException($"The subprotocol '{subprotocol}' is not a token.", nameof(request));
            for (int j = 0; j < i; j++)
            {
                if (string.Equals(request.Subprotocols[j], subprotocol, StringComparison.Ordinal))
                    throw new ArgumentException($"The subprotocol '{subprotocol}' is offered twice.", nameof(request));
            }
        }
        if (request.Extensions is not null) HttpSyntax.EnsureWritableValue(request.Extensions, nameof(request));
        if (request.Origin is not null) HttpSyntax.EnsureWritableValue(request.Origin, nameof(request));
        HttpSyntax.EnsureWritableFields(request.Headers, RequestFields, nameof(request));
    }

    private readonly record struct StatusLine(Version Version, int StatusCode, string ReasonPhrase);

    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]; a missing last SP is
    // tolerated, as the reason phrase is informative only.
    private static HandshakeRejection? ParseStatusLine(ReadOnlySpan<byte> line, out StatusLine start)
    {
        start = default;
        if (line.Length < 12 || line[8] != (byte)' ' || !HttpSyntax.TryParseVersion(line[..8], out Version version)
            || !int.TryParse(line[9..12], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int code)
            || code < 100 || (line.Length > 12 && line[12] != (byte)' '))
            return HandshakeRejection.BadRequest("the status line is not 'HTTP/1.1 code reason'");
        if (version.Major != 1)
            return HandshakeRejection.BadRequest("the response is not HTTP/1.x");
        ReadOnlySpan<byte> reason = line.Length > 12 ? line[13..] : [];
        // RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
        if (reason.ContainsAny(HttpSyntax.ValueControlBytes))
            return HandshakeRejection.BadRequest("the reason phrase holds a control character");
        start = new StatusLine(version, code, Encoding.Latin1.GetString(reason));
        return null;
    }
}
