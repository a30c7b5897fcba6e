using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;
using WsServer.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>The program's transport flags end to end: wss:// from a PEM pair, and the PROXY protocol
/// giving the real client address in the connection log.</summary>
public sealed class TransportTests
{
    [Fact]
    public async Task CertAndKeyServeWssToAClientThatTrustsOnlyThatCertificate()
    {
        using var certificate = TestCertificate.Create();
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--cert", certificate.CertPath, "--key", certificate.KeyPath);
        using (host)
        {
            Assert.Equal("wss", uri.Scheme);
            using var client = new ClientWebSocket();
            client.Options.RemoteCertificateValidationCallback = (_, seen, _, _) => certificate.Matches(seen);
            await client.ConnectAsync(uri, CancellationToken.None).WaitAsync(HostProcess.Timeout);

            await client.SendAsync("secret"u8.ToArray(), WebSocketMessageType.Text);

            Assert.Equal("secret", Encoding.UTF8.GetString((await client.ReceiveMessageAsync()).Data));
        }
    }

    [Fact]
    public async Task ProxyProtocolPutsTheRealClientAddressInTheLog()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--proxy-protocol");
        using (host)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, uri.Port).WaitAsync(HostProcess.Timeout);
            byte[] proxy = Encoding.ASCII.GetBytes($"PROXY TCP4 203.0.113.7 127.0.0.1 5555 {uri.Port}\r\n");
            byte[] request = [.. proxy, .. PlainHttp.UpgradeRequest()];
            await tcp.GetStream().WriteAsync(request).AsTask().WaitAsync(HostProcess.Timeout);
            var response = new byte[256];
            int read = await tcp.GetStream().ReadAsync(response).AsTask().WaitAsync(HostProcess.Timeout);

            Assert.StartsWith("HTTP/1.1 101 ", Encoding.ASCII.GetString(response, 0, read), StringComparison.Ordinal);
            await host.WaitForStdoutAsync(l => l.Contains("opened from 203.0.113.7:5555", StringComparison.Ordinal));
        }
    }
}
