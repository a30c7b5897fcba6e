using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Tls;

/// <summary>A client speaking the wrong protocol for the port is dropped, and a concurrent good
/// connection does not notice.</summary>
public sealed class CrossProtocolTests
{
    [Fact]
    public async Task APlainClientOnATlsPortIsDroppedWithoutHarmingAWssConnection()
    {
        using var certificate = TestCertificate.Create();
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(),
            o => o.Tls = new TlsOptions { Certificate = CertificateFile.Pem(certificate.CertPath, certificate.KeyPath) });
        using ClientWebSocket good = await TlsTests.ConnectAsync(server, certificate);

        using var plain = new TcpClient();
        await plain.ConnectAsync("127.0.0.1", server.Port, Timeouts.Token());
        await plain.GetStream().WriteAsync(Encoding.ASCII.GetBytes(HttpExchange.UpgradeRequest(server.Port, "/")), Timeouts.Token());

        Assert.True(await HttpExchange.IsDroppedAsync(plain.GetStream()));
        await good.SendTextAsync("still here");
        Assert.Equal("still here", await good.ReceiveTextAsync());
    }

    [Fact]
    public async Task ATlsClientOnAPlainPortIsRefusedWithoutHarmingAWsConnection()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        using ClientWebSocket good = await server.ConnectAsync();

        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port, Timeouts.Token());
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);

        await Assert.ThrowsAnyAsync<Exception>(() =>
            ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, Timeouts.Token()));
        await good.SendTextAsync("still here");
        Assert.Equal("still here", await good.ReceiveTextAsync());
    }
}
