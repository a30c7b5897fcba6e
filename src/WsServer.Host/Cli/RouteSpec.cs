namespace WsServer.Host.Cli;

/// <summary>One route the program serves: a path (<c>/chat</c>, or <c>/rooms/*</c> for a prefix), its
/// handler spec, and its own subprotocols and allowed origins (null: the program-wide ones).</summary>
public sealed record RouteSpec(string Pattern, string Handler)
{
    /// <summary>The route's subprotocols in preference order; null for the program-wide list.</summary>
    public IReadOnlyList<string>? Subprotocols { get; init; }

    /// <summary>The route's allowed origins; null for the program-wide list.</summary>
    public IReadOnlyList<string>? AllowedOrigins { get; init; }

    /// <summary>Parses <c>/PATH=HANDLER</c>, as <c>--route</c> takes it; null when malformed.</summary>
    public static RouteSpec? Parse(string text)
    {
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 1 || equals == text.Length - 1 || text[0] != '/') return null;
        return new RouteSpec(text[..equals], text[(equals + 1)..]);
    }
}
