namespace WsServer.Protocol.Handshake;

/// <summary>Bounds on an HTTP message head; a request over them is refused with 431 (414 when the
/// request line alone is over <see cref="MaxLineLength"/>). The parser never buffers more than
/// <see cref="MaxHeaderBytes"/>: it refuses a head that has grown past it before its blank line arrives.</summary>
public sealed record HandshakeLimits
{
    /// <summary>The request line and headers together, every CRLF and the blank line included, in bytes (default 8 KiB).</summary>
    public int MaxHeaderBytes { get; init; } = 8 * 1024;

    /// <summary>The number of header fields (default 100).</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>One line, request line or header field, in bytes without its CRLF (default 4 KiB).</summary>
    public int MaxLineLength { get; init; } = 4 * 1024;

    /// <summary>The defaults.</summary>
    public static HandshakeLimits Default { get; } = new();
}
