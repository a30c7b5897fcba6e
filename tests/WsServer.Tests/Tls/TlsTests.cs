using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Tls;

/// <summary>wss:// over SslStream with certificates made in the test; the client trusts that certificate only.</summary>
public sealed class TlsTests
{
    internal static async Task<ClientWebSocket> ConnectAsync(TestServer server, TestCertificate trusted,
        string host = "127.0.0.1", Action<X509Certificate?>? seen = null)
    {
        var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            seen?.Invoke(certificate);
            return trusted.Matches(certificate);
        };
        await client.ConnectAsync(new Uri($"wss://{host}:{server.Port}/"), Timeouts.Token());
        return client;
    }

    [Fact]
    public async Task APemCertificateServesWssAndFillsTheTlsFields()
    {
        using var certificate = TestCertificate.Create();
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler,
            o => o.Tls = new TlsOptions { Certificate = CertificateFile.Pem(certificate.CertPath, certificate.KeyPath) });

        using ClientWebSocket client = await ConnectAsync(server, certificate, "localhost");
        await client.SendTextAsync("over tls");
        ConnectionInfo info = (await handler.FirstOpened.Task.Bounded()).Info;

        Assert.Equal("over tls", await client.ReceiveTextAsync());
        Assert.True(info.IsTls);
        Assert.True(info.TlsProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, $"{info.TlsProtocol}");
        Assert.Equal("localhost", info.TlsServerName);
    }

    [Fact]
    public async Task APfxCertificateWithPasswordServesWss()
    {
        using var certificate = TestCertificate.Create();
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(),
            o => o.Tls = new TlsOptions { Certificate = CertificateFile.Pfx(certificate.PfxPath, TestCertificate.Password) });

        using ClientWebSocket client = await ConnectAsync(server, certificate);
        await client.SendTextAsync("pfx");

        Assert.Equal("pfx", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task SniPicksTheCertificateForTheHostName()
    {
        using var main = TestCertificate.Create();
        using var other = TestCertificate.Create("other.test", dnsNames: "other.test");
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.Tls = new TlsOptions
        {
            Certificate = CertificateFile.Pem(main.CertPath, main.KeyPath),
            ServerNames = { ["other.test"] = CertificateFile.Pfx(other.PfxPath, TestCertificate.Password) },
        });

        Assert.True(other.Matches(await PresentedCertificateAsync(server.Port, "other.test")));
        Assert.True(main.Matches(await PresentedCertificateAsync(server.Port, "unknown.test")));
    }

    [Fact]
    public async Task ACertificateReplacedOnDiskIsUsedForNewConnections()
    {
        using var first = TestCertificate.Create();
        using var second = TestCertificate.Create("renewed", Directory.CreateTempSubdirectory("wsserver-cert-").FullName);
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(),
            o => o.Tls = new TlsOptions { Certificate = CertificateFile.Pem(first.CertPath, first.KeyPath) });
        using ClientWebSocket before = await ConnectAsync(server, first);

        second.WritePem(first.CertPath, first.KeyPath);

        // The server looks at the files at most once a second: poll, bounded, until it presents the new one.
        bool renewed = false;
        for (int attempt = 0; attempt < 100 && !renewed; attempt++)
        {
            renewed = second.Matches(await PresentedCertificateAsync(server.Port, "localhost"));
            if (!renewed) await Task.Delay(100);
        }
        Assert.True(renewed, "the replaced certificate was never presented");
        using ClientWebSocket after = await ConnectAsync(server, second);
        await after.SendTextAsync("renewed");
        Assert.Equal("renewed", await after.ReceiveTextAsync());
    }

    [Fact]
    public async Task ABadCertificateFailsTheStartWithAClearMessage()
    {
        using var certificate = TestCertificate.Create();
        using var other = TestCertificate.Create("other", Directory.CreateTempSubdirectory("wsserver-cert-").FullName);
        (CertificateFile File, string Named)[] cases =
        [
            (CertificateFile.Pem(Path.Combine(certificate.Directory, "missing.pem"), certificate.KeyPath), "missing.pem"),
            (CertificateFile.Pfx(certificate.PfxPath, "wrong password"), "cert.pfx"),
            (CertificateFile.Pem(certificate.CertPath, other.KeyPath), "cert.pem"),
        ];
        foreach ((CertificateFile file, string named) in cases)
        {
            var options = new ServerOptions { Port = 0, Tls = new TlsOptions { Certificate = file } }.UseHandler(new EchoHandler());
            await using var server = new WebSocketServer(options);

            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync());

            Assert.Contains(named, error.Message, StringComparison.Ordinal);
            Assert.Empty(server.LocalEndPoints);
        }
    }

    internal static async Task<X509Certificate?> PresentedCertificateAsync(int port, string serverName)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, Timeouts.Token());
        X509Certificate? presented = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return true;
        });
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = serverName }, Timeouts.Token());
        return presented;
    }
}
