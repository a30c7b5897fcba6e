using WsServer.Protocol.Compression;

namespace WsServer.Routing;

/// <summary>Per-route settings; null values fall back to the server's.</summary>
public sealed record RouteOptions
{
    /// <summary>Hand pings, pongs and the peer's close to the handler too (they are answered
    /// automatically either way). Off by default.</summary>
    public bool DeliverControlFrames { get; init; }

    /// <summary>The largest message accepted on this route; null for the server's limit.</summary>
    public long? MaxMessageSize { get; init; }

    /// <summary>permessage-deflate (RFC 7692) on this route; null for the server's
    /// <see cref="Hosting.ServerOptions.Compression"/>, <see cref="PerMessageDeflateOptions.Disabled"/> for none.</summary>
    public PerMessageDeflateOptions? Compression { get; init; }

    /// <summary>The defaults.</summary>
    public static RouteOptions Default { get; } = new();
}
