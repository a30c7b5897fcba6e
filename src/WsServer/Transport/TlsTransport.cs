using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace WsServer.Transport;

/// <summary>A listener's TLS: its certificates (loaded at start) and the server side of the TLS
/// handshake over an accepted connection's stream.</summary>
internal sealed class TlsTransport
{
    private readonly CertificateSource _default;
    private readonly Dictionary<string, CertificateSource> _byServerName;
    private readonly SslServerAuthenticationOptions _options;

    public TlsTransport(TlsOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options.Certificate);
        _default = CertificateSource.Load(options.Certificate, time, logger);
        _byServerName = new Dictionary<string, CertificateSource>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, CertificateFile file) in options.ServerNames)
            _byServerName[name] = CertificateSource.Load(file, time, logger);
        _options = new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = TlsOptions.Protocols,
            ClientCertificateRequired = false,
            // Called per handshake: picks the certificate by SNI, and is where a replaced file is noticed.
            ServerCertificateSelectionCallback = SelectCertificate,
        };
    }

    /// <summary>Runs the server side of the TLS handshake; the returned stream owns <paramref name="inner"/>.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(_options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private X509Certificate2 SelectCertificate(object sender, string? hostName) =>
        hostName is not null && _byServerName.TryGetValue(hostName, out CertificateSource? named)
            ? named.Current
            : _default.Current;
}
