using System.Buffers;
using System.Text;

namespace WsServer.Protocol.Handshake;

/// <summary>The server side of the opening handshake (RFC 6455 §4.2).</summary>
public static class ServerHandshake
{
    private static readonly Version Http11 = new(1, 1);

    // Fields WriteAccept writes itself; an extra header with one of these names is a caller bug.
    private static readonly string[] ReservedAcceptFields =
        ["Upgrade", "Connection", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"];

    // Fields WriteRejection writes itself (Connection is merged instead: 426 carries "Connection: Upgrade").
    private static readonly string[] ReservedRejectionFields = ["Content-Type", "Content-Length"];

    /// <summary>Checks a request against §4.2.1, in the RFC's order; null when it is a valid upgrade.
    /// Another method gives 405 with <c>Allow: GET</c>; HTTP/1.0 400; a <c>Transfer-Encoding</c> or
    /// <c>Content-Length</c> (a body) 400; no, two or an empty <c>Host</c> 400; no <c>Upgrade</c> header at all
    /// (a plain GET) 426 with <c>Upgrade: websocket</c>; a missing or other <c>Sec-WebSocket-Version</c> 426
    /// with <c>Sec-WebSocket-Version: 13</c>; anything else malformed 400 with the reason, a malformed
    /// <c>Sec-WebSocket-Extensions</c> included. Routing (404) and origin checks (403) are the caller's.</summary>
    /// <remarks>An HTTP/2 request (<see cref="UpgradeRequest.HttpVersion"/> 2 or later) is checked as RFC 8441's
    /// extended CONNECT instead: see <see cref="ValidateExtendedConnect"/>.</remarks>
    public static HandshakeRejection? Validate(UpgradeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HttpVersion.Major >= 2) return ValidateExtendedConnect(request);
        HttpHeaders headers = request.Headers;

        // §4.2.1 item 1: "An HTTP/1.1 or higher GET request"
        if (!string.Equals(request.Method, "GET", StringComparison.Ordinal))
            return HandshakeRejection.MethodNotAllowed();
        if (request.HttpVersion < Http11)
            return HandshakeRejection.BadRequest("a WebSocket upgrade needs HTTP/1.1 or later");
        // §4.1: "The method of the request MUST be GET": the upgrade has no body, and whatever follows its head
        // is read as frames. RFC 9110 §9.3.1: "content received in a GET request ... might lead some
        // implementations to reject the request and close the connection because of its potential as a
        // request smuggling attack". A body would be framed by Transfer-Encoding (which wins, RFC 9112 §6.1)
        // or Content-Length (even 0, so that no two parsers can disagree).
        if (headers.CountOf("Transfer-Encoding") != 0)
            return HandshakeRejection.BadRequest("an upgrade request has no body: Transfer-Encoding is not allowed");
        if (headers.CountOf("Content-Length") != 0)
            return HandshakeRejection.BadRequest("an upgrade request has no body: Content-Length is not allowed");

        // §4.2.1 item 2: "A |Host| header field containing the server's authority."
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request
        // message that lacks a Host header field and to any request message that contains more than one".
        int hosts = headers.CountOf("Host");
        if (hosts == 0)
            return HandshakeRejection.BadRequest("the request has no Host header");
        if (hosts > 1)
            return UpgradeRequestParser.MoreThanOneHost;
        if (headers["Host"]!.Length == 0)
            return HandshakeRejection.BadRequest("the Host header is empty");

        // §4.2.1 item 3: "An |Upgrade| header field containing the value "websocket", treated as an ASCII
        // case-insensitive value." No Upgrade at all is a plain HTTP request to a WebSocket resource.
        if (headers.CountOf("Upgrade") == 0)
            return HandshakeRejection.UpgradeRequired();
        if (!headers.ContainsToken("Upgrade", "websocket"))
            return HandshakeRejection.BadRequest("the Upgrade header does not name websocket");

        // §4.2.1 item 4: "A |Connection| header field that includes the token "Upgrade", treated as an
        // ASCII case-insensitive value."
        if (!headers.ContainsToken("Connection", "Upgrade"))
            return HandshakeRejection.BadRequest("the Connection header does not include Upgrade");

        // §4.2.1 item 5: "A |Sec-WebSocket-Key| header field with a base64-encoded value that, when
        // decoded, is 16 bytes in length."
        if (headers.CountOf("Sec-WebSocket-Key") != 1)
            return HandshakeRejection.BadRequest("the request needs exactly one Sec-WebSocket-Key header");
        if (!AcceptKey.IsValidKey(headers["Sec-WebSocket-Key"]))
            return HandshakeRejection.BadRequest("Sec-WebSocket-Key is not the base64 encoding of 16 bytes");

        return ValidateVersionAndExtensions(request);
    }

    /// <summary>Checks an HTTP/2 request against RFC 8441 (WebSockets over HTTP/2): an extended CONNECT
    /// (§4: <c>:method</c> CONNECT, <c>:protocol</c> websocket) with one non-empty <c>:authority</c> (read as
    /// <c>Host</c>), then <c>Sec-WebSocket-Version</c> and <c>Sec-WebSocket-Extensions</c> as over HTTP/1.1
    /// (§5). There is no <c>Sec-WebSocket-Key</c> (§5: "are not used"), and no <c>Upgrade</c> or
    /// <c>Connection</c>, which HTTP/2 forbids. Another method gives 405 with <c>Allow: CONNECT</c>.</summary>
    public static HandshakeRejection? ValidateExtendedConnect(UpgradeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.Equals(request.Method, "CONNECT", StringComparison.Ordinal))
            return new HandshakeRejection(405, "method not allowed: a WebSocket over HTTP/2 is an extended CONNECT (RFC 8441)")
            {
                Headers = [new("Allow", "CONNECT")],
            };
        if (!string.Equals(request.Protocol, "websocket", StringComparison.Ordinal))
            return HandshakeRejection.BadRequest("the :protocol pseudo-header does not name websocket");
        if (request.Headers.CountOf("Host") != 1 || request.Headers["Host"]!.Length == 0)
            return HandshakeRejection.BadRequest("the request needs one non-empty :authority");
        return ValidateVersionAndExtensions(request);
    }

    private static HandshakeRejection? ValidateVersionAndExtensions(UpgradeRequest request)
    {
        // §4.2.1 item 6: "A |Sec-WebSocket-Version| header field, with a value of 13."
        // §4.4: "If this version does not match a version understood by the server, the server MUST abort
        // the WebSocket handshake ... and instead send an appropriate HTTP error code (such as 426 Upgrade
        // Required) and a |Sec-WebSocket-Version| header field indicating the version(s) the server is
        // capable of understanding." A missing version (pre-RFC drafts) gets the same answer.
        if (!string.Equals(request.Headers["Sec-WebSocket-Version"], "13", StringComparison.Ordinal))
            return HandshakeRejection.UnsupportedVersion();

        // §4.2.1: "If the server, while reading the handshake, finds that the client did not send a
        // handshake that matches the description below ..., the server MUST stop processing the client's
        // handshake and return an HTTP response with an appropriate error code (such as 400 Bad Request)."
        // Item 9 describes Sec-WebSocket-Extensions; §9.1 gives its grammar.
        if (request.HasMalformedExtensions)
            return HandshakeRejection.BadRequest("the Sec-WebSocket-Extensions header is malformed");
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/>, naming the header, when <see cref="WriteAccept"/> would
    /// refuse one of <paramref name="headers"/> as an extra header of the 101: a name that is not a token
    /// (RFC 9110 §5.6.2), a value holding anything but field-vchar, SP and HTAB (CR, LF, NUL, another control
    /// or a character above U+00FF; RFC 9110 §5.5), or a field the 101 writes itself (<c>Upgrade</c>,
    /// <c>Connection</c>, <c>Sec-WebSocket-*</c>). Call it where the headers are handed over, so that a bad
    /// header fails its caller rather than the connection.</summary>
    public static void ThrowIfInvalidAcceptHeaders(IReadOnlyList<KeyValuePair<string, string>> headers, string? paramName = null) =>
        HttpSyntax.EnsureWritableFields(headers, ReservedAcceptFields, paramName ?? nameof(headers));

    /// <summary>As <see cref="ThrowIfInvalidAcceptHeaders"/>, for the headers of a refusal written by
    /// <see cref="WriteRejection"/> (which writes <c>Content-Type</c> and <c>Content-Length</c> itself).</summary>
    public static void ThrowIfInvalidRejectionHeaders(IReadOnlyList<KeyValuePair<string, string>> headers, string? paramName = null) =>
        HttpSyntax.EnsureWritableFields(headers, ReservedRejectionFields, paramName ?? nameof(headers));

    /// <summary>Writes the 101 Switching Protocols answer for a validated request (§4.2.2).</summary>
    /// <exception cref="InvalidOperationException">The request has no valid <c>Sec-WebSocket-Key</c>
    /// (it was not validated).</exception>
    /// <exception cref="ArgumentException">The subprotocol was not offered by the client; a header name is
    /// not a token, is one this method writes, or a value holds CR, LF or another control character.
    /// Nothing is written then.</exception>
    public static void WriteAccept(IBufferWriter<byte> output, UpgradeRequest request, HandshakeAccept accept)
    {
        ArgumentNullException.ThrowIfNull(output);
        string key = CheckKey(request);
        CheckOffered(request, accept);

        Span<char> acceptValue = stackalloc char[AcceptKey.AcceptLength];
        AcceptKey.Compute(key, acceptValue);
        output.Write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "u8);
        HeadWriter.Write(output, acceptValue);
        output.Write("\r\n"u8);
        if (accept.Subprotocol is not null) HeadWriter.WriteField(output, "Sec-WebSocket-Protocol", accept.Subprotocol);
        if (accept.Extensions is not null) HeadWriter.WriteField(output, "Sec-WebSocket-Extensions", accept.Extensions);
        foreach (KeyValuePair<string, string> field in accept.Headers) HeadWriter.WriteField(output, field.Key, field.Value);
        output.Write("\r\n"u8);
    }

    /// <summary>The header fields of the answer to a validated request, for a host that writes the answer's
    /// status line and <c>Connection</c> itself (ASP.NET Core's 101, an HTTP/2 stream's 200): over HTTP/1.1
    /// <c>Upgrade: websocket</c> and <c>Sec-WebSocket-Accept</c>; over HTTP/2 neither (RFC 8441 §5); then
    /// <c>Sec-WebSocket-Protocol</c>, <c>Sec-WebSocket-Extensions</c> and the accept's own headers, with the
    /// checks <see cref="WriteAccept"/> makes.</summary>
    /// <exception cref="InvalidOperationException">An HTTP/1.1 request has no valid <c>Sec-WebSocket-Key</c>.</exception>
    /// <exception cref="ArgumentException">As for <see cref="WriteAccept"/>.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> AcceptFields(UpgradeRequest request, HandshakeAccept accept)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? key = request.HttpVersion.Major >= 2 ? null : CheckKey(request);
        CheckOffered(request, accept);
        List<KeyValuePair<string, string>> fields = [];
        if (key is not null)
        {
            Span<char> acceptValue = stackalloc char[AcceptKey.AcceptLength];
            AcceptKey.Compute(key, acceptValue);
            fields.Add(new("Upgrade", "websocket"));
            fields.Add(new("Sec-WebSocket-Accept", new string(acceptValue)));
        }
        if (accept.Subprotocol is not null) fields.Add(new("Sec-WebSocket-Protocol", accept.Subprotocol));
        if (accept.Extensions is not null) fields.Add(new("Sec-WebSocket-Extensions", accept.Extensions));
        fields.AddRange(accept.Headers);
        return fields;
    }

    private static string CheckKey(UpgradeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? key = request.Headers["Sec-WebSocket-Key"];
        if (!AcceptKey.IsValidKey(key))
            throw new InvalidOperationException("The request has no valid Sec-WebSocket-Key; call Validate first.");
        return key;
    }

    /// <summary>What the answer chose must be the client's offer and writable.</summary>
    private static void CheckOffered(UpgradeRequest request, HandshakeAccept accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        // §4.2.2 item 5.4 (/subprotocol/): "a single value representing the subprotocol the server is ready
        // to use ... The value chosen MUST be derived from the client's handshake".
        if (accept.Subprotocol is { } subprotocol && !request.Subprotocols.Contains(subprotocol, StringComparer.Ordinal))
            throw new ArgumentException($"The subprotocol '{subprotocol}' was not offered by the client.", nameof(accept));
        if (accept.Extensions is { } extensions)
            HttpSyntax.EnsureWritableValue(extensions, nameof(accept));
        HttpSyntax.EnsureWritableFields(accept.Headers, ReservedAcceptFields, nameof(accept));
    }

    /// <summary>Writes the refusal: status line with the standard reason phrase, the rejection's headers,
    /// <c>Content-Type: text/plain; charset=utf-8</c>, <c>Content-Length</c>, <c>Connection: close</c>
    /// (merged with a <c>Connection</c> header of the rejection, as in <c>Connection: Upgrade, close</c>),
    /// a blank line, then the body (<see cref="HandshakeRejection.Body"/> or else the reason, UTF-8).
    /// The caller closes the connection after sending it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The status is not 300 to 599.</exception>
    /// <exception cref="ArgumentException">A header name is not a token or is Content-Type or
    /// Content-Length, or a value holds a control character. Nothing is written then.</exception>
    public static void WriteRejection(IBufferWriter<byte> output, HandshakeRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rejection);
        ArgumentOutOfRangeException.ThrowIfLessThan(rejection.StatusCode, 300, nameof(rejection));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rejection.StatusCode, 599, nameof(rejection));
        HttpSyntax.EnsureWritableFields(rejection.Headers, ReservedRejectionFields, nameof(rejection));
        string body = rejection.Body ?? rejection.Reason;
        int bodyLength = Encoding.UTF8.GetByteCount(body);

        output.Write("HTTP/1.1 "u8);
        HeadWriter.Write(output, rejection.StatusCode);
        output.Write(" "u8);
        HeadWriter.Write(output, HeadWriter.ReasonPhrase(rejection.StatusCode));
        output.Write("\r\n"u8);
        bool closeListed = false;
        foreach (KeyValuePair<string, string> field in rejection.Headers)
        {
            if (IsConnection(field.Key)) closeListed |= HttpSyntax.ListContains(field.Value, "close");
            else HeadWriter.WriteField(output, field.Key, field.Value);
        }
        output.Write("Content-Type: text/plain; charset=utf-8\r\nContent-Length: "u8);
        HeadWriter.Write(output, bodyLength);
        output.Write("\r\nConnection: "u8);
        bool first = true;
        foreach (KeyValuePair<string, string> field in rejection.Headers)
        {
            if (!IsConnection(field.Key)) continue;
            if (!first) output.Write(", "u8);
            HeadWriter.Write(output, field.Value);
            first = false;
        }
        if (!closeListed) output.Write(first ? "close"u8 : ", close"u8);
        output.Write("\r\n\r\n"u8);
        Span<byte> span = output.GetSpan(bodyLength);
        output.Advance(Encoding.UTF8.GetBytes(body, span));
    }

    /// <summary>Writes a plain HTTP 200 answer with a body (a page a WebSocket client is served from):
    /// <c>Content-Type</c>, <c>Content-Length</c>, <c>Cache-Control: no-cache</c>, <c>Connection: close</c>.
    /// The caller closes the connection after sending it.</summary>
    /// <exception cref="ArgumentException">The content type holds a control character.</exception>
    public static void WritePage(IBufferWriter<byte> output, string contentType, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        HttpSyntax.EnsureWritableValue(contentType, nameof(contentType));
        output.Write("HTTP/1.1 200 OK\r\n"u8);
        HeadWriter.WriteField(output, "Content-Type", contentType);
        output.Write("Content-Length: "u8);
        HeadWriter.Write(output, body.Length);
        output.Write("\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"u8);
        output.Write(body);
    }

    private static bool IsConnection(string name) => string.Equals(name, "Connection", StringComparison.OrdinalIgnoreCase);
}
