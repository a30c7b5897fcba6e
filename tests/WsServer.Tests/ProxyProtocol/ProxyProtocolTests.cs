using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsServer.Connections;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.ProxyProtocol;

/// <summary>A listener behind a load balancer: the PROXY header's client address reaches the connection
/// info; a connection without a valid header is dropped.</summary>
public sealed class ProxyProtocolTests
{
    private static Task<TestServer> StartAsync(RecordingHandler handler, bool tls = false, TestCertificate? certificate = null) =>
        TestServer.StartAsync(handler, o =>
        {
            o.ProxyProtocol = true;
            if (tls) o.Tls = new TlsOptions { Certificate = CertificateFile.Pem(certificate!.CertPath, certificate.KeyPath) };
        });

    [Fact]
    public async Task AV1HeaderGivesTheClientsAddress()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler);

        await using RawClient client = await RawClient.ConnectAsync(server.Port,
            preamble: "PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\n"u8.ToArray());
        ConnectionInfo info = (await handler.FirstOpened.Task.Bounded()).Info;

        Assert.Equal(IPEndPoint.Parse("203.0.113.7:40000"), info.RemoteEndPoint);
        Assert.Equal(IPEndPoint.Parse("192.0.2.1:443"), info.LocalEndPoint);
    }

    [Fact]
    public async Task AV2HeaderGivesTheClientsAddressAndTheRequestMayShareItsPacket()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler);
        byte[] header = ProxyProtocolParserTests.V2Tcp4("198.51.100.9", 51000, "192.0.2.1", 443);

        // The header and the upgrade request in one write: what follows the header must not be lost.
        await using RawClient client = await RawClient.ConnectAsync(server.Port, preamble: header);
        await client.SendAsync(ClientFrame.Text("after proxy"));
        ConnectionInfo info = (await handler.FirstOpened.Task.Bounded()).Info;

        Assert.Equal(IPEndPoint.Parse("198.51.100.9:51000"), info.RemoteEndPoint);
        Assert.Equal("after proxy", (await client.ReadFrameAsync())!.Value.Text);
    }

    [Fact]
    public async Task TheHeaderComesBeforeTls()
    {
        using var certificate = TestCertificate.Create();
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler, tls: true, certificate);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port, Timeouts.Token());
        await tcp.GetStream().WriteAsync("PROXY TCP4 203.0.113.8 192.0.2.1 40001 443\r\n"u8.ToArray(), Timeouts.Token());
        await using var ssl = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, c, _, _) => certificate.Matches(c));
        await ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions { TargetHost = "localhost" }, Timeouts.Token());

        HttpAnswer answer = await HttpExchange.SendAsync(ssl, HttpExchange.UpgradeRequest(server.Port, "/"));
        ConnectionInfo info = (await handler.FirstOpened.Task.Bounded()).Info;

        Assert.Equal(101, answer.Status);
        Assert.Equal(IPEndPoint.Parse("203.0.113.8:40001"), info.RemoteEndPoint);
        Assert.True(info.IsTls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("PROXY TCP4 not-an-address 192.0.2.1 1 2\r\n")]
    public async Task AConnectionWithoutAValidHeaderIsDroppedWithoutHarmingAnother(string preamble)
    {
        var handler = new RecordingHandler();
        await using TestServer server = await StartAsync(handler);
        await using RawClient good = await RawClient.ConnectAsync(server.Port, preamble: "PROXY UNKNOWN\r\n"u8.ToArray());

        using var bad = new TcpClient();
        await bad.ConnectAsync("127.0.0.1", server.Port, Timeouts.Token());
        await bad.GetStream().WriteAsync(Encoding.ASCII.GetBytes(preamble + HttpExchange.UpgradeRequest(server.Port, "/")), Timeouts.Token());

        Assert.True(await HttpExchange.IsDroppedAsync(bad.GetStream()));
        await good.SendAsync(ClientFrame.Text("fine"));
        Assert.Equal("fine", (await good.ReadFrameAsync())!.Value.Text);
        Assert.Equal(IPAddress.Loopback, (await handler.FirstOpened.Task.Bounded()).Info.RemoteEndPoint.Address);
    }
}
