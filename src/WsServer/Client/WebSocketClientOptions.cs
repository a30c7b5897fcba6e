using WsServer.Protocol.Compression;
using WsServer.Protocol.Session;

namespace WsServer.Client;

/// <summary>How <see cref="WebSocketClient.ConnectAsync"/> connects: what it offers in the opening
/// handshake, how long it waits, and the limits of the connection.</summary>
public sealed record WebSocketClientOptions
{
    /// <summary>The subprotocols offered (<c>Sec-WebSocket-Protocol</c>), in order of preference; none by default.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>Extra request headers (<c>Authorization</c>, <c>Cookie</c>, ...); the handshake's own
    /// headers (<c>Host</c>, <c>Upgrade</c>, <c>Sec-WebSocket-*</c>) cannot be given here.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The <c>Origin</c> header, as a browser would send it; null for none.</summary>
    public string? Origin { get; init; }

    /// <summary>Offer permessage-deflate (RFC 7692); on by default. Whether the server agreed is
    /// <see cref="WebSocketClient.Compression"/>.</summary>
    public bool Compression { get; init; } = true;

    /// <summary>The shape of the permessage-deflate offer (RFC 7692 §7.1), when <see cref="Compression"/> is on:
    /// <see cref="DeflateParameters.ClientNoContextTakeover"/> and <see cref="DeflateParameters.ServerNoContextTakeover"/>
    /// ask each side to reset its compressor after each message (the server must agree to its own);
    /// <see cref="DeflateParameters.ServerMaxWindowBits"/> under 15 asks the server to compress with at most that
    /// window (bounding this client's decompression memory), and <see cref="DeflateParameters.ClientMaxWindowBits"/>
    /// under 15 is the most this client compresses with. An answer that does not honour the offer fails the
    /// handshake. By default every parameter at its default: <c>permessage-deflate; client_max_window_bits</c>.</summary>
    public DeflateParameters DeflateOffer { get; init; } = PerMessageDeflateOffer.DefaultOffer;

    /// <summary>The bound on connecting: TCP, TLS and the opening handshake together; 30 s by default.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="WebSocketClient.CloseAsync"/> waits for the server's close frame
    /// before it cuts the connection; 10 s by default.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After this long without a byte from the server, the client pings it (keep-alive); 30 s by
    /// default, as on the server. <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> turns
    /// keep-alive pings off. The pings go out whether or not a receive runs; their pongs are read by
    /// <see cref="WebSocketClient.ReceiveAsync"/>.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping waits for its pong. <see cref="WebSocketClient.PingAsync"/> then fails with
    /// <see cref="TimeoutException"/> (the connection stays open); a keep-alive ping with nothing read since
    /// fails the connection: the transport is cut and the waiting <see cref="WebSocketClient.ReceiveAsync"/>
    /// returns a close of 1006 (<see cref="Protocol.Closing.CloseCode.AbnormalClosure"/>, initiated by
    /// <see cref="Connections.CloseInitiator.Transport"/>) saying why. The keep-alive deadline is enforced while a
    /// receive waits: with none, only a read can see the pong, so it is put off by as long again. 15 s by
    /// default, as on the server; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> waits until
    /// the pong or the end of the connection.</summary>
    public TimeSpan PongTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The clock of the pong timeout and of the round-trip times; <see cref="TimeProvider.System"/>
    /// by default (a fake one in a test).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>For wss://, accept any server certificate (a self-signed one in a test); off by default,
    /// when the certificate must be valid for the URL's host.</summary>
    public bool AcceptAnyCertificate { get; init; }

    /// <summary>The largest message received, in bytes, inclusive; a larger one fails the connection
    /// with 1009. 1 MiB by default, as on the server.</summary>
    public long MaxMessageSize { get; init; } = ProtocolOptions.DefaultMaxMessageSize;

    /// <summary>Receive each data message as it arrives: <see cref="WebSocketClient.ReceiveAsync"/> returns it at its
    /// first part, with <see cref="Connections.WebSocketMessage.IsStreamed"/> true, to be read through
    /// <see cref="Connections.WebSocketMessage.Body"/> or <see cref="Connections.WebSocketMessage.ReadPartsAsync"/>;
    /// reading it reads the connection (answering pings meanwhile), so nothing is assembled and
    /// <see cref="MaxMessageSize"/> may be larger than memory. What is left unread is skipped by the next
    /// receive. Off by default.</summary>
    public bool StreamMessages { get; init; }

    /// <summary>Throws when a value is out of range, as <see cref="WebSocketClient.ConnectAsync"/> does.</summary>
    internal void Validate()
    {
        if (HandshakeTimeout <= TimeSpan.Zero && HandshakeTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "The handshake timeout must be positive or infinite.");
        if (PongTimeout < TimeSpan.Zero && PongTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(PongTimeout), PongTimeout,
                "The pong timeout must not be negative; 0 or Timeout.InfiniteTimeSpan waits for ever.");
        if (DeflateOffer is not { ServerMaxWindowBits: >= DeflateParameters.MinWindowBits and <= DeflateParameters.MaxWindowBits,
                ClientMaxWindowBits: >= DeflateParameters.MinWindowBits and <= DeflateParameters.MaxWindowBits })
            throw new ArgumentOutOfRangeException(nameof(DeflateOffer), DeflateOffer, "The deflate offer's windows must be 8..15 bits, and the offer not null.");
        if (TimeProvider is null) throw new ArgumentNullException(nameof(TimeProvider), "WebSocketClientOptions.TimeProvider is null.");
        if (KeepAliveInterval < TimeSpan.Zero && KeepAliveInterval != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval,
                "The keep-alive interval must not be negative; 0 or Timeout.InfiniteTimeSpan turns keep-alive off.");
    }

    /// <summary>The defaults.</summary>
    public static WebSocketClientOptions Default { get; } = new();
}
