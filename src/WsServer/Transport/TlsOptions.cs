using System.Security.Authentication;

namespace WsServer.Transport;

/// <summary>TLS (wss://) for a listener: TLS 1.2 and 1.3 only, a default certificate and optional
/// certificates per SNI host name. Certificates are loaded when the server starts, so a bad path,
/// password or key fails <c>StartAsync</c> with a message that names the file.</summary>
public sealed class TlsOptions
{
    /// <summary>The protocols offered: TLS 1.2 and 1.3.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The certificate for clients that send no SNI host name or one not in <see cref="ServerNames"/>.</summary>
    public required CertificateFile Certificate { get; init; }

    /// <summary>Certificates by SNI host name (compared case-insensitively), for several names on one port.</summary>
    public IDictionary<string, CertificateFile> ServerNames { get; init; } =
        new Dictionary<string, CertificateFile>(StringComparer.OrdinalIgnoreCase);
}
