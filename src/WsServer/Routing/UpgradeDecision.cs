using System.Collections.Frozen;
using WsServer.Protocol.Handshake;

namespace WsServer.Routing;

/// <summary>An upgrade callback's answer: accept (optionally with a subprotocol, extra response headers
/// and items handed on to <c>InitAsync</c>) or reject with an HTTP response.</summary>
public sealed class UpgradeDecision
{
    private static readonly IReadOnlyDictionary<string, object?> NoItems = FrozenDictionary<string, object?>.Empty;

    private UpgradeDecision(HandshakeRejection? rejection, string? subprotocol,
        IReadOnlyList<KeyValuePair<string, string>> headers, IReadOnlyDictionary<string, object?> items)
    {
        Rejection = rejection;
        Subprotocol = subprotocol;
        Headers = headers;
        Items = items;
    }

    /// <summary>Accept, with what the route negotiated.</summary>
    public static UpgradeDecision Accepted { get; } = new(null, null, [], NoItems);

    /// <summary>True for an accept.</summary>
    public bool IsAccepted => Rejection is null;

    /// <summary>The refusal sent to the client; null for an accept.</summary>
    public HandshakeRejection? Rejection { get; }

    /// <summary>The subprotocol to answer; null keeps what the route negotiated. It must be one the client offered.</summary>
    public string? Subprotocol { get; }

    /// <summary>Extra headers for the 101 answer.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Data for the handler, found in <c>ConnectionInfo.Items</c> during and after <c>InitAsync</c>.</summary>
    public IReadOnlyDictionary<string, object?> Items { get; }

    /// <summary>When the connection's credentials expire (<see cref="ExpiringAt"/>); null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; private init; }

    /// <summary>This accept, with credentials that expire at <paramref name="expiresAt"/> (a token's <c>exp</c>):
    /// then the connection is closed with 1008 unless the handler pushed it back
    /// (<see cref="Connections.WebSocketConnection.ExtendExpiry"/>), after an in-band refresh say.</summary>
    /// <exception cref="InvalidOperationException">This is a rejection.</exception>
    public UpgradeDecision ExpiringAt(DateTimeOffset expiresAt) => IsAccepted
        ? new UpgradeDecision(null, Subprotocol, Headers, Items) { ExpiresAt = expiresAt }
        : throw new InvalidOperationException("A rejection has no connection to expire.");

    /// <summary>Accepts the upgrade. <paramref name="subprotocol"/>, when given, must be one the client
    /// offered; <paramref name="headers"/> go into the 101 answer; <paramref name="items"/> reach
    /// <c>ConnectionInfo.Items</c>.</summary>
    /// <exception cref="ArgumentException">A header, named in the message, has a name that is not an HTTP
    /// token, a value holding CR, LF, NUL, another control or a character above U+00FF (RFC 9110 §5.5), or
    /// is one the 101 writes itself (<c>Upgrade</c>, <c>Connection</c>, <c>Sec-WebSocket-*</c>).</exception>
    public static UpgradeDecision Accept(string? subprotocol = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        IEnumerable<KeyValuePair<string, object?>>? items = null)
    {
        KeyValuePair<string, string>[] fields = headers?.ToArray() ?? [];
        ServerHandshake.ThrowIfInvalidAcceptHeaders(fields, nameof(headers));
        return new(null, subprotocol, fields, items is null ? NoItems : items.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Rejects the upgrade: the client gets exactly this status, these headers and this body
    /// (text/plain, UTF-8), then the connection is closed. <paramref name="statusCode"/> is 300 to 599
    /// (a redirect needs a <c>Location</c> header). The body is sent as given: quote request text in it
    /// through <see cref="HandshakeRejection.Escape"/>.</summary>
    /// <exception cref="ArgumentException">A header, named in the message, has a name that is not an HTTP
    /// token, a value holding CR, LF, NUL, another control or a character above U+00FF (RFC 9110 §5.5), or
    /// is <c>Content-Type</c> or <c>Content-Length</c>, which the answer writes itself.</exception>
    public static UpgradeDecision Reject(int statusCode, string body,
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 300);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentNullException.ThrowIfNull(body);
        KeyValuePair<string, string>[] fields = headers?.ToArray() ?? [];
        ServerHandshake.ThrowIfInvalidRejectionHeaders(fields, nameof(headers));
        var rejection = new HandshakeRejection(statusCode, body) { Body = body, Headers = fields };
        return new(rejection, null, [], NoItems);
    }
}
