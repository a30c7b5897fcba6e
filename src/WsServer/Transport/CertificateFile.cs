namespace WsServer.Transport;

/// <summary>Where a TLS certificate and its private key live on disk: PEM (certificate file plus key
/// file) or PKCS#12/PFX (one file, optionally with a password). Replacing the files on disk takes
/// effect for new connections without a restart.</summary>
public sealed record CertificateFile
{
    /// <summary>The certificate: a PEM file (<c>.pem</c>, <c>.crt</c>) or a PKCS#12 file (<c>.pfx</c>, <c>.p12</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The PEM private key file; null for a PFX, or for a PEM file that holds the key too.</summary>
    public string? KeyPath { get; init; }

    /// <summary>The PFX password (or the PEM key's, when encrypted); null for none.</summary>
    public string? Password { get; init; }

    /// <summary>True when <see cref="Path"/> names a PKCS#12 file (by its <c>.pfx</c>/<c>.p12</c> extension).</summary>
    public bool IsPkcs12 =>
        System.IO.Path.GetExtension(Path) is { } ext
        && (ext.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || ext.Equals(".p12", StringComparison.OrdinalIgnoreCase));

    /// <summary>A PEM certificate with its key in <paramref name="keyPath"/> (or in the same file when null).</summary>
    public static CertificateFile Pem(string certificatePath, string? keyPath = null) =>
        new() { Path = certificatePath, KeyPath = keyPath };

    /// <summary>A PKCS#12/PFX file with an optional password.</summary>
    public static CertificateFile Pfx(string path, string? password = null) => new() { Path = path, Password = password };
}
