using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using WsServer.Diagnostics;

namespace WsServer.Transport;

/// <summary>
/// One certificate file, loaded at start and reloaded when it changes on disk. Rather than a
/// FileSystemWatcher (which misses renames into place on some file systems and costs a handle per
/// file), each handshake compares the files' last write times, at most once a second. A reload that
/// fails (a file caught half-written) keeps the previous certificate and is retried a second later.
/// </summary>
internal sealed class CertificateSource
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly CertificateFile _file;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private X509Certificate2 _current;
    private (DateTime Certificate, DateTime Key) _stamp;
    private long _nextCheck;

    private CertificateSource(CertificateFile file, TimeProvider time, ILogger logger)
    {
        _file = file;
        _time = time;
        _logger = logger;
        _stamp = ReadStamp(file);
        _current = LoadOrThrow(file);
        _nextCheck = time.GetTimestamp() + ToTicks(CheckInterval);
    }

    /// <summary>Loads <paramref name="file"/> now; a bad path, password or key throws
    /// <see cref="InvalidOperationException"/> naming the file.</summary>
    public static CertificateSource Load(CertificateFile file, TimeProvider time, ILogger logger) => new(file, time, logger);

    /// <summary>The certificate for a new handshake, reloaded first if the file changed.</summary>
    public X509Certificate2 Current
    {
        get
        {
            long now = _time.GetTimestamp();
            long due = Volatile.Read(ref _nextCheck);
            // One handshake per interval does the check; the others use the current certificate.
            if (now >= due && Interlocked.CompareExchange(ref _nextCheck, now + ToTicks(CheckInterval), due) == due)
                ReloadIfChanged();
            return Volatile.Read(ref _current);
        }
    }

    private void ReloadIfChanged()
    {
        try
        {
            (DateTime, DateTime) stamp = ReadStamp(_file);
            if (stamp == _stamp) return;
            X509Certificate2 fresh = LoadOrThrow(_file);
            _stamp = stamp;
            // The previous certificate is not disposed: handshakes in flight may still be using it.
            Volatile.Write(ref _current, fresh);
            Log.CertificateReloaded(_logger, _file.Path, fresh.Subject, fresh.NotAfter);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Log.CertificateReloadFailed(_logger, _file.Path, ex.Message);
        }
    }

    private static (DateTime, DateTime) ReadStamp(CertificateFile file) =>
        (File.GetLastWriteTimeUtc(file.Path), file.KeyPath is null ? default : File.GetLastWriteTimeUtc(file.KeyPath));

    private static X509Certificate2 LoadOrThrow(CertificateFile file)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = LoadFile(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"Cannot load the TLS certificate {Describe(file)}: {ex.Message}", ex);
        }
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"The TLS certificate {Describe(file)} has no private key.");
        return certificate;
    }

    private static X509Certificate2 LoadFile(CertificateFile file)
    {
        if (file.IsPkcs12) return X509CertificateLoader.LoadPkcs12FromFile(file.Path, file.Password);
        X509Certificate2 pem = file.Password is null
            ? X509Certificate2.CreateFromPemFile(file.Path, file.KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(file.Path, file.Password, file.KeyPath);
        if (!OperatingSystem.IsWindows()) return pem;
        // SChannel cannot use the ephemeral key a PEM import gives; a PKCS#12 round trip persists it.
        using (pem) return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    private static string Describe(CertificateFile file) =>
        file.KeyPath is null ? $"'{file.Path}'" : $"'{file.Path}' (key '{file.KeyPath}')";

    private long ToTicks(TimeSpan interval) => (long)(interval.TotalSeconds * _time.TimestampFrequency);
}
