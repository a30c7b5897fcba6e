namespace WsServer.Protocol.Compression;

/// <summary>What a server is willing to agree to in permessage-deflate (RFC 7692), and how it
/// compresses. The defaults favour interoperability and ratio; lower the window and memory level
/// to hold less memory per connection (see docs/compression.md).</summary>
public sealed record PerMessageDeflateOptions
{
    /// <summary>Negotiate compression at all; false declines every offer.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The largest window the server compresses with, 8..15; it answers a smaller one when
    /// the client asks (§7.1.2.1), and states this one when it is under 15.</summary>
    public int ServerMaxWindowBits { get; init; } = DeflateParameters.MaxWindowBits;

    /// <summary>The window the server asks the client to compress with, 8..15, when the client's offer
    /// allows it (<c>client_max_window_bits</c>); it bounds the server's inflate memory.</summary>
    public int ClientMaxWindowBits { get; init; } = DeflateParameters.MaxWindowBits;

    /// <summary>Always answer <c>server_no_context_takeover</c>: the server's compressor is then held
    /// only while a message is compressed and shared between connections. On by default (as
    /// uWebSockets' shared compressor): the compressor is zlib's largest state (about 262 KiB), and an
    /// idle connection should not hold it; turn it off for the better ratio of a kept context.</summary>
    public bool ServerNoContextTakeover { get; init; } = true;

    /// <summary>Always answer <c>client_no_context_takeover</c>: the server's decompressor is then held
    /// only while a message is read and shared between connections.</summary>
    public bool ClientNoContextTakeover { get; init; }

    /// <summary>zlib's compression level, 1 (fastest) .. 9 (smallest); default 6.</summary>
    public int CompressionLevel { get; init; } = 6;

    /// <summary>zlib's memLevel, 1..9: the compressor holds 2^(memLevel+9) bytes of hash tables
    /// besides its 2^(windowBits+1)-byte window; default 8.</summary>
    public int MemoryLevel { get; init; } = 8;

    /// <summary>Messages shorter than this many bytes are sent uncompressed (their deflate overhead
    /// outweighs the gain); default 64.</summary>
    public int Threshold { get; init; } = 64;

    /// <summary>The defaults: enabled.</summary>
    public static PerMessageDeflateOptions Default { get; } = new();

    /// <summary>Compression off.</summary>
    public static PerMessageDeflateOptions Disabled { get; } = new() { Enabled = false };

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A window, level, memory level or threshold is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ServerMaxWindowBits, DeflateParameters.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ServerMaxWindowBits, DeflateParameters.MaxWindowBits);
        ArgumentOutOfRangeException.ThrowIfLessThan(ClientMaxWindowBits, DeflateParameters.MinWindowBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ClientMaxWindowBits, DeflateParameters.MaxWindowBits);
        ArgumentOutOfRangeException.ThrowIfLessThan(CompressionLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CompressionLevel, 9);
        ArgumentOutOfRangeException.ThrowIfLessThan(MemoryLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MemoryLevel, 9);
        ArgumentOutOfRangeException.ThrowIfNegative(Threshold);
    }
}
