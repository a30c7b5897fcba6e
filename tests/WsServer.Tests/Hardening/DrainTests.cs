using System.Net.Sockets;
using System.Text;
using WsServer.Hosting;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Hardening;

/// <summary>A stop loses nothing it accepted and tells everyone why: an upgrade half-sent when the stop
/// comes is answered 503 with Retry-After, and new TCP connections are refused.</summary>
public sealed class DrainTests
{
    [Fact]
    public async Task AnUpgradeHalfSentWhenTheServerStopsIsAnswered503AndNewConnectionsAreRefused()
    {
        var time = new FakeClock();
        TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.TimeProvider = time);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.Port, Timeouts.Token());
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.Port}\r\nUpgrade: websocket\r\n"), Timeouts.Token());
        // Accepted and being read (its handshake deadline is armed): a connection still in the listener's backlog
        // when the server stops is reset by the kernel, as with any server, and is not what this test is about.
        Assert.True(await time.ArmedAsync(new ServerOptions().HandshakeTimeout), "the request is never read");

        await server.Server.StopAsync().Bounded();

        var answer = new StreamReader(stream, Encoding.ASCII);
        string? status = await answer.ReadLineAsync(Timeouts.Token());
        Assert.StartsWith("HTTP/1.1 503 ", status, StringComparison.Ordinal);
        string head = await answer.ReadToEndAsync(Timeouts.Token());
        Assert.Contains("Retry-After:", head, StringComparison.OrdinalIgnoreCase);
        using var late = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => late.ConnectAsync("127.0.0.1", server.Port, Timeouts.Token()).AsTask());
        await server.DisposeAsync();
    }
}
