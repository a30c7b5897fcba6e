using WsServer.Protocol.Compression;

namespace WsServer.Routing;

/// <summary>Per-route settings; null values fall back to the server's.</summary>
public sealed record WebSocketRouteOptions
{
    /// <summary>Hand pings, pongs and the peer's close to the handler too (they are answered
    /// automatically either way). Off by default.</summary>
    public bool DeliverControlFrames { get; init; }

    /// <summary>Hand each data message to the handler as it arrives, before it has all arrived: its
    /// <see cref="Connections.WebSocketMessage.IsStreamed"/> is true and the handler reads it through
    /// <see cref="Connections.WebSocketMessage.Body"/> or <see cref="Connections.WebSocketMessage.ReadPartsAsync"/>
    /// during its call. Nothing is assembled, so <see cref="MaxMessageSize"/> may be larger than memory: while the
    /// handler has not read what was handed to it (about 128 KiB), the connection stops reading the socket.
    /// What the handler leaves unread when its call returns is discarded. Pings are answered meanwhile; with
    /// <see cref="DeliverControlFrames"/>, pings and pongs that arrive during a streamed message are not
    /// delivered (the handler's call is still running). Off by default.</summary>
    public bool StreamMessages { get; init; }

    /// <summary>The largest message accepted on this route; null for the server's limit.</summary>
    public long? MaxMessageSize { get; init; }

    /// <summary>The subprotocols this route speaks, most preferred first: the first one the client also
    /// offers in <c>Sec-WebSocket-Protocol</c> is answered. When the client offers none of them the
    /// upgrade still succeeds, without a subprotocol (RFC 6455 §4.2.2 leaves that choice to the server).</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>The origins allowed to connect (exact, such as <c>https://example.com</c>, compared
    /// case-insensitively); another origin gets 403. Null allows any. A request without an
    /// <c>Origin</c> header (a non-browser client) is allowed: the check protects browsers' users.</summary>
    public IReadOnlyList<string>? AllowedOrigins { get; init; }

    /// <summary>Called for each valid upgrade request on this route, before the connection is established
    /// and before the handler's own <see cref="IUpgradeFilter"/>; may be async (a token check).</summary>
    public Func<UpgradeContext, ValueTask<UpgradeDecision>>? OnUpgrade { get; init; }

    /// <summary>permessage-deflate (RFC 7692) on this route; null for the server's
    /// <see cref="Hosting.ServerOptions.Compression"/>, <see cref="PerMessageDeflateOptions.Disabled"/> for none.</summary>
    public PerMessageDeflateOptions? Compression { get; init; }

    /// <summary>What a send does when a connection's queue is over its limit on this route; null for
    /// the server's <see cref="Hosting.ServerOptions.SlowConsumer"/>.</summary>
    public Connections.SlowConsumerPolicy? SlowConsumer { get; init; }

    /// <summary>The longest a connection of this route may live; then it is closed with
    /// <see cref="LifetimeCloseCode"/>. Each connection's lifetime is shortened by up to a tenth, at random, so a
    /// deploy's reconnections do not all come back at once. Null (the default) for no limit.</summary>
    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>The close code of a connection whose <see cref="MaxLifetime"/> passed: 1001 (going away) by default;
    /// 1012 (service restart) tells a client to come back soon.</summary>
    public WsServer.Protocol.Closing.CloseCode LifetimeCloseCode { get; init; } = WsServer.Protocol.Closing.CloseCode.GoingAway;

    /// <summary>How fast each connection of this route may send (messages and bytes per second, with a burst),
    /// and what a message over it meets; null for the server's <see cref="Hosting.ServerOptions.RateLimit"/>.</summary>
    public Connections.MessageRateLimit? RateLimit { get; init; }

    /// <summary>The defaults.</summary>
    public static WebSocketRouteOptions Default { get; } = new();

    /// <summary>Checks every option, naming the bad one; called when the route is mapped.</summary>
    internal void Validate(string pattern)
    {
        if (MaxMessageSize is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize,
                $"WebSocketRouteOptions.MaxMessageSize of route '{pattern}' must be at least 1 byte (or null for the server's).");
        if (MaxLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxLifetime), lifetime,
                $"WebSocketRouteOptions.MaxLifetime of route '{pattern}' must be positive (or null for none).");
        if (!WsServer.Protocol.Closing.ClosePayload.IsSendable((ushort)LifetimeCloseCode))
            throw new ArgumentException($"WebSocketRouteOptions.LifetimeCloseCode of route '{pattern}' ({(ushort)LifetimeCloseCode}) may not be sent on the wire.",
                nameof(LifetimeCloseCode));
        RateLimit?.Validate($"WebSocketRouteOptions.RateLimit of route '{pattern}'");
        ArgumentNullException.ThrowIfNull(Subprotocols, nameof(Subprotocols));
        foreach (string subprotocol in Subprotocols)
        {
            // RFC 6455 §4.1: each subprotocol is a token (RFC 2616), non-empty, without separators.
            if (string.IsNullOrEmpty(subprotocol) || !subprotocol.All(IsTokenChar))
                throw new ArgumentException($"WebSocketRouteOptions.Subprotocols of route '{pattern}' has '{subprotocol}', which is not an HTTP token.",
                    nameof(Subprotocols));
        }
        if (AllowedOrigins?.Any(string.IsNullOrWhiteSpace) == true)
            throw new ArgumentException($"WebSocketRouteOptions.AllowedOrigins of route '{pattern}' has an empty origin.", nameof(AllowedOrigins));
        try
        {
            Compression?.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"WebSocketRouteOptions.Compression of route '{pattern}': {ex.Message}", nameof(Compression), ex);
        }
    }

    private static bool IsTokenChar(char c) => c is > ' ' and < (char)127 && !"()<>@,;:\\\"/[]?={}".Contains(c);
}
