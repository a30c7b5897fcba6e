using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace WsServer.Tests.TestSupport;

/// <summary>A self-signed ECDSA certificate made for one test, for localhost, 127.0.0.1 and any extra
/// names, written as PEM (certificate + key) and PFX into its own temp directory.</summary>
public sealed class TestCertificate : IDisposable
{
    public const string Password = "s3cret";

    private TestCertificate(X509Certificate2 certificate, string directory)
    {
        Certificate = certificate;
        Directory = directory;
    }

    public X509Certificate2 Certificate { get; }

    public string Directory { get; }

    public string CertPath => Path.Combine(Directory, "cert.pem");

    public string KeyPath => Path.Combine(Directory, "key.pem");

    public string PfxPath => Path.Combine(Directory, "cert.pfx");

    public string Thumbprint => Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    public static TestCertificate Create(string commonName = "localhost", string? directory = null, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        foreach (string name in dnsNames) names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        directory ??= System.IO.Directory.CreateTempSubdirectory("wsserver-cert-").FullName;
        var result = new TestCertificate(certificate, directory);
        result.WritePem(result.CertPath, result.KeyPath);
        File.WriteAllBytes(result.PfxPath, certificate.Export(X509ContentType.Pkcs12, Password));
        return result;
    }

    /// <summary>Writes the PEM pair, each file replaced in one rename so a reader never sees half a file.</summary>
    public void WritePem(string certPath, string keyPath)
    {
        WriteAtomically(certPath, Certificate.ExportCertificatePem());
        WriteAtomically(keyPath, Certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>True when <paramref name="presented"/> is this certificate: the only one a test client trusts.</summary>
    public bool Matches(X509Certificate? presented) =>
        presented is not null && presented.GetCertHashString(HashAlgorithmName.SHA256) == Thumbprint;

    private static void WriteAtomically(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Another certificate of the same test may share the directory and have removed it.
        }
    }
}
