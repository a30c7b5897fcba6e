using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Messages;

/// <summary>What the program accepts as the Generic Host configuration does: localhost for an address, and
/// cert and key paths in a config file relative to the file, not to the working directory.</summary>
public sealed class AddressAndPathTests
{
    [Fact]
    public async Task AddressLocalhostListensOnIpv4Loopback()
    {
        using HostProcess host = HostProcess.Start("--address", "localhost", "--port", "0");

        string banner = await host.WaitForStartLineAsync();
        Assert.Matches(@"^wsserver 0\.1\.0 listening on ws://127\.0\.0\.1:\d+/ with handler echo \(workers 1024\)$", banner);
    }

    [Fact]
    public async Task RelativeCertAndKeyInAConfigFileAreFoundBesideIt()
    {
        string folder = Directory.CreateTempSubdirectory("wsserver-tls-").FullName;
        using (var key = RSA.Create(2048))
        using (X509Certificate2 made = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
        {
            Directory.CreateDirectory(Path.Combine(folder, "tls"));
            File.WriteAllText(Path.Combine(folder, "tls", "cert.pem"), made.ExportCertificatePem());
            File.WriteAllText(Path.Combine(folder, "tls", "key.pem"), key.ExportPkcs8PrivateKeyPem());
        }
        string config = Path.Combine(folder, "wsserver.json");
        File.WriteAllText(config, """{ "cert": "tls/cert.pem", "key": "tls/key.pem" }""");

        // The program's working directory is the test's output folder, not the config's.
        Assert.NotEqual(Path.GetFullPath(folder), Path.GetFullPath(AppContext.BaseDirectory).TrimEnd('/'));
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--config", config);
        using (host)
        {
            Assert.Equal("wss", uri.Scheme);
            using var tcp = new TcpClient(AddressFamily.InterNetwork);
            await tcp.ConnectAsync(uri.Host, uri.Port).WaitAsync(HostProcess.Timeout);
            using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(HostProcess.Timeout);
            Assert.Equal("CN=localhost", tls.RemoteCertificate!.Subject);
        }
    }
}
