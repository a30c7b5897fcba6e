namespace WsServer.Protocol.Handshake;

/// <summary>An HTTP answer that refuses an upgrade: status, reason and the headers the RFC asks for.</summary>
/// <param name="StatusCode">The HTTP status (400, 403, 404, 405, 414, 426, 431, 500, 505, ...).</param>
/// <param name="Reason">A short human sentence; the body when <see cref="Body"/> is null.</param>
public sealed record HandshakeRejection(int StatusCode, string Reason)
{
    /// <summary>Extra response headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The response body (text/plain, UTF-8); null sends <see cref="Reason"/>.</summary>
    public string? Body { get; init; }

    /// <summary>400 with a reason.</summary>
    public static HandshakeRejection BadRequest(string reason) => new(400, reason);

    /// <summary>405 with <c>Allow: GET</c>.</summary>
    public static HandshakeRejection MethodNotAllowed() =>
        new(405, "method not allowed: a WebSocket upgrade is a GET") { Headers = [new("Allow", "GET")] };

    /// <summary>426 with <c>Sec-WebSocket-Version: 13</c> (RFC 6455 §4.4).</summary>
    public static HandshakeRejection UnsupportedVersion() =>
        new(426, "unsupported WebSocket version: 13 is supported") { Headers = [new("Sec-WebSocket-Version", "13")] };

    /// <summary>426 with <c>Upgrade: websocket</c>, for a plain HTTP request to a WebSocket resource.</summary>
    public static HandshakeRejection UpgradeRequired() =>
        new(426, "this resource speaks WebSocket: upgrade required")
        {
            Headers = [new("Upgrade", "websocket"), new("Connection", "Upgrade"), new("Sec-WebSocket-Version", "13")],
        };

    /// <summary>431: the request's headers are over the limits.</summary>
    public static HandshakeRejection HeadersTooLarge(string reason) => new(431, reason);

    /// <summary>414: the request line is longer than <see cref="HandshakeLimits.MaxLineLength"/>.</summary>
    public static HandshakeRejection UriTooLong(string reason) => new(414, reason);

    /// <summary>404 for a path no route serves.</summary>
    public static HandshakeRejection NotFound() => new(404, "not found");

    /// <summary>403, for a refused origin.</summary>
    public static HandshakeRejection Forbidden(string reason) => new(403, reason);

    /// <summary>The longest request text, in characters, that <see cref="Escape"/> keeps.</summary>
    public const int MaxEscapedLength = 64;

    /// <summary>Makes request text (an origin, a header value) safe to quote in a reason or body, which is sent
    /// to the peer and logged: printable ASCII is kept, except <c>&lt; &gt; &amp; " ' \</c>; those, controls
    /// and other characters become <c>\xNN</c> (<c>\uNNNN</c> above U+00FF). Text longer than
    /// <see cref="MaxEscapedLength"/> characters is cut there and ends with <c>...</c>. Null is empty.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        ReadOnlySpan<char> kept = text.AsSpan(0, Math.Min(text.Length, MaxEscapedLength));
        var escaped = new System.Text.StringBuilder(kept.Length + 8);
        foreach (char c in kept)
        {
            if (c is >= ' ' and <= '~' and not ('<' or '>' or '&' or '"' or '\'' or '\\')) escaped.Append(c);
            else if (c <= '\u00ff') escaped.Append(@"\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else escaped.Append(@"\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (text.Length > MaxEscapedLength) escaped.Append("...");
        return escaped.ToString();
    }
}
