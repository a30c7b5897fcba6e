using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A redis-server that takes TLS connections only, with a server certificate for 127.0.0.1 and
/// localhost signed by a CA made for this server (by openssl, in a temporary directory removed on
/// dispose); a client trusts <see cref="CaCertificate"/>. Clients need no certificate of their own.</summary>
public sealed class TlsRedis : IAsyncDisposable
{
    private readonly string _directory;

    private TlsRedis(string directory, X509Certificate2 caCertificate, RedisProcess redis)
    {
        _directory = directory;
        CaCertificate = caCertificate;
        Redis = redis;
    }

    public RedisProcess Redis { get; }

    public string Address => Redis.Address;

    /// <summary>A StackExchange.Redis configuration string for it (the CA is trusted separately).</summary>
    public string Configuration => $"{Address},ssl=true";

    /// <summary>The CA's certificate, PEM.</summary>
    public string CaCertificatePath => Path.Combine(_directory, "ca.crt");

    public X509Certificate2 CaCertificate { get; }

    public static async Task<TlsRedis> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("wsserver-redis-tls-").FullName;
        X509Certificate2? ca = null;
        try
        {
            await MakeCertificatesAsync(directory);
            ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "ca.crt"));
            int port = RedisProcess.FreePort();
            RedisProcess redis = await RedisProcess.StartWithAsync(port,
            [
                "--port", "0", "--tls-port", port.ToString(CultureInfo.InvariantCulture),
                "--tls-cert-file", Path.Combine(directory, "server.crt"),
                "--tls-key-file", Path.Combine(directory, "server.key"),
                "--tls-ca-cert-file", Path.Combine(directory, "ca.crt"),
                "--tls-auth-clients", "no",
            ]);
            return new TlsRedis(directory, ca, redis);
        }
        catch
        {
            ca?.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Runs redis-cli over TLS against this server and returns its output.</summary>
    public Task<string> CliAsync(params string[] arguments) =>
        Tools.RunAsync(Tools.RedisCli(),
            ["--tls", "--cacert", CaCertificatePath, "-h", "127.0.0.1", "-p", Redis.Port.ToString(CultureInfo.InvariantCulture), .. arguments]);

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        CaCertificate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    // A day's validity is plenty for a test run and keeps no certificate that outlives it usable.
    private static async Task MakeCertificatesAsync(string directory)
    {
        string openssl = Tools.OpenSsl();
        string PathOf(string name) => Path.Combine(directory, name);
        await Tools.RunAsync(openssl,
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=WsServer test CA",
             "-keyout", PathOf("ca.key"), "-out", PathOf("ca.crt")]);
        await Tools.RunAsync(openssl,
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", PathOf("server.key"), "-out", PathOf("server.csr")]);
        await File.WriteAllTextAsync(PathOf("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n" +
            "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        await Tools.RunAsync(openssl,
            ["x509", "-req", "-days", "1", "-in", PathOf("server.csr"), "-CA", PathOf("ca.crt"), "-CAkey", PathOf("ca.key"),
             "-CAcreateserial", "-extfile", PathOf("server.ext"), "-out", PathOf("server.crt")]);
    }
}
