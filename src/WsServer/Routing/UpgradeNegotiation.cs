using System.Collections.Frozen;
using System.Net;
using WsServer.Protocol.Handshake;

namespace WsServer.Routing;

/// <summary>How a valid upgrade request on a route ends: the 101 answer with the items for init, or a refusal.</summary>
internal readonly record struct UpgradeOutcome(
    HandshakeAccept? Accept, IReadOnlyDictionary<string, object?> Items, HandshakeRejection? Rejection, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// The route's checks, in order: the origin allow-list (403), the subprotocol choice (the route's
/// list in preference order, the first the client offered), then the route's callback and the
/// handler's filter; the first rejection wins. Exceptions from callbacks propagate: the caller
/// answers them with 500.
/// </summary>
internal static class UpgradeNegotiation
{
    private static readonly IReadOnlyDictionary<string, object?> NoItems = FrozenDictionary<string, object?>.Empty;

    public static async ValueTask<UpgradeOutcome> NegotiateAsync(UpgradeRequest request, WebSocketRoute route,
        IPEndPoint remote, IPEndPoint local, object? hostContext, CancellationToken cancellationToken)
    {
        WebSocketRouteOptions options = route.Options;
        if (!IsOriginAllowed(options.AllowedOrigins, request.Origin))
            // The origin is the peer's text: escaped, so the body (and the log) carries no markup, line or byte of it.
            return Refused(HandshakeRejection.Forbidden($"origin not allowed: {HandshakeRejection.Escape(request.Origin)}"));

        string? subprotocol = ChooseSubprotocol(options.Subprotocols, request.Subprotocols);
        var context = new UpgradeContext(request, remote, local, route, subprotocol, cancellationToken) { HostContext = hostContext };
        List<UpgradeDecision> decisions = [];
        if (options.OnUpgrade is { } callback) decisions.Add(await callback(context).ConfigureAwait(false));
        if (decisions.TrueForAll(d => d.IsAccepted) && route.Filter is { } filter)
            decisions.Add(await filter.OnUpgradeAsync(context).ConfigureAwait(false));

        if (decisions.Find(d => !d.IsAccepted) is { } rejected) return Refused(rejected.Rejection!);
        return Accepted(request, subprotocol, decisions);
    }

    public static bool IsOriginAllowed(IReadOnlyList<string>? allowed, string? origin) =>
        allowed is null || origin is null
        || allowed.Any(a => string.Equals(a.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));

    public static string? ChooseSubprotocol(IReadOnlyList<string> preferred, IReadOnlyList<string> offered)
    {
        // RFC 6455 §4.2.2: the server selects "one or none of the acceptable protocols" the client listed.
        foreach (string candidate in preferred)
        {
            if (offered.Contains(candidate, StringComparer.Ordinal)) return candidate;
        }
        return null;
    }

    private static UpgradeOutcome Accepted(UpgradeRequest request, string? subprotocol, List<UpgradeDecision> decisions)
    {
        var headers = new List<KeyValuePair<string, string>>();
        Dictionary<string, object?>? items = null;
        DateTimeOffset? expiresAt = null;
        foreach (UpgradeDecision decision in decisions)
        {
            // The earliest expiry of the checks that set one: credentials are as good as the first to expire.
            if (decision.ExpiresAt is { } expires && (expiresAt is null || expires < expiresAt)) expiresAt = expires;
            if (decision.Subprotocol is { } chosen)
            {
                // Answering a subprotocol the client did not offer makes it fail the connection (§4.1).
                if (!request.Subprotocols.Contains(chosen, StringComparer.Ordinal))
                    throw new InvalidOperationException($"Upgrade callback chose subprotocol '{chosen}', which the client did not offer.");
                subprotocol = chosen;
            }
            headers.AddRange(decision.Headers);
            if (decision.Items.Count == 0) continue;
            items ??= new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach ((string key, object? value) in decision.Items) items[key] = value;
        }
        var accept = new HandshakeAccept { Subprotocol = subprotocol, Headers = headers };
        return new UpgradeOutcome(accept, items?.ToFrozenDictionary(StringComparer.Ordinal) ?? NoItems, null, expiresAt);
    }

    private static UpgradeOutcome Refused(HandshakeRejection rejection) => new(null, NoItems, rejection);
}
