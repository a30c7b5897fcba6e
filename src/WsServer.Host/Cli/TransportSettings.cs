namespace WsServer.Host.Cli;

/// <summary>The listener's transport and the program-wide route settings.</summary>
public sealed record TransportSettings
{
    /// <summary>The certificate file (PEM, or PFX by its extension); null for plain ws://.</summary>
    public string? Certificate { get; init; }

    /// <summary>The PEM key file; null for a PFX or a PEM file that holds its key.</summary>
    public string? Key { get; init; }

    /// <summary>The PFX password; null for none.</summary>
    public string? CertificatePassword { get; init; }

    /// <summary>Expect a PROXY protocol header on every connection.</summary>
    public bool ProxyProtocol { get; init; }

    /// <summary>Subprotocols in preference order, for every route without its own.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>Allowed origins for every route without its own; empty allows any.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>The routes; empty when the handler serves every path.</summary>
    public IReadOnlyList<RouteSpec> Routes { get; init; } = [];

    /// <summary>True when a handler was named for every path (alone, or beside routes for unmatched paths).</summary>
    public bool HasFallback { get; init; } = true;
}
