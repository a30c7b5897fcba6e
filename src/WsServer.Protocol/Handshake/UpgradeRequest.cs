namespace WsServer.Protocol.Handshake;

/// <summary>A parsed HTTP/1.1 request, or an HTTP/2 extended CONNECT (RFC 8441) another server read, which may or
/// may not be a valid WebSocket upgrade (<see cref="ServerHandshake.Validate"/> decides).</summary>
/// <remarks><see cref="Subprotocols"/> and <see cref="Extensions"/> are parsed on first use and cached;
/// they reflect <see cref="Headers"/> as they were then. Not thread-safe until both have been read once.</remarks>
public sealed class UpgradeRequest
{
    private IReadOnlyList<string>? _subprotocols;
    private List<ExtensionOffer>? _extensions;
    private bool _malformedExtensions;

    /// <summary>The method, as sent (<c>GET</c>).</summary>
    public required string Method { get; init; }

    /// <summary>The request target as sent (<c>/chat?room=1</c>, or an absolute URI).</summary>
    public required string Target { get; init; }

    /// <summary>The path part of the target, percent-encoding kept (<c>/chat</c>); <c>/</c> for an absolute
    /// URI without a path.</summary>
    public required string Path { get; init; }

    /// <summary>The query without its <c>?</c>; empty when absent.</summary>
    public required string Query { get; init; }

    /// <summary>The HTTP version: 1.1, or 2 for an extended CONNECT.</summary>
    public required Version HttpVersion { get; init; }

    /// <summary>The <c>:protocol</c> pseudo-header of an HTTP/2 extended CONNECT (RFC 8441 §4), <c>websocket</c>
    /// for a WebSocket; null over HTTP/1.1, which has none.</summary>
    public string? Protocol { get; init; }

    /// <summary>All header fields.</summary>
    public required HttpHeaders Headers { get; init; }

    /// <summary>The <c>Host</c> header; null when absent.</summary>
    public string? Host => Headers["Host"];

    /// <summary>The <c>Origin</c> header; null when absent.</summary>
    public string? Origin => Headers["Origin"];

    /// <summary>The subprotocols offered in <c>Sec-WebSocket-Protocol</c>, in the client's order, across
    /// repeated fields; empty list elements are skipped, names are kept as sent (they compare
    /// case-sensitively).</summary>
    public IReadOnlyList<string> Subprotocols =>
        _subprotocols ??= [.. HttpSyntax.ListElements(Headers.GetValues("Sec-WebSocket-Protocol"))];

    /// <summary>The extensions offered in <c>Sec-WebSocket-Extensions</c>, in the client's order, across
    /// repeated fields. Empty when the header is absent or malformed (see <see cref="HasMalformedExtensions"/>).</summary>
    public IReadOnlyList<ExtensionOffer> Extensions
    {
        get
        {
            ParseExtensions();
            return _extensions!;
        }
    }

    /// <summary>True when <c>Sec-WebSocket-Extensions</c> does not follow RFC 6455 §9.1; then
    /// <see cref="Extensions"/> is empty and <see cref="ServerHandshake.Validate"/> answers 400.</summary>
    public bool HasMalformedExtensions
    {
        get
        {
            ParseExtensions();
            return _malformedExtensions;
        }
    }

    private void ParseExtensions()
    {
        if (_extensions is not null) return;
        _malformedExtensions = !ExtensionListParser.TryParse(Headers.GetValues("Sec-WebSocket-Extensions"), out List<ExtensionOffer> offers);
        _extensions = offers;
    }
}
