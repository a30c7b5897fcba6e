using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Messages;

/// <summary>The library's log lines as the program prints them: close codes said in words, counts in
/// proper English, and a browser's plain HTTP requests (its /favicon.ico) kept out of the Information log.</summary>
public sealed class LogLineTests
{
    [Fact]
    public async Task CloseWithoutStatusIsSaidInWords()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync();
        using (host)
        {
            // Raw bytes: ClientWebSocket puts 1005 itself on the wire for WebSocketCloseStatus.Empty.
            using var tcp = new TcpClient(AddressFamily.InterNetwork);
            await tcp.ConnectAsync(uri.Host, uri.Port).WaitAsync(HostProcess.Timeout);
            NetworkStream stream = tcp.GetStream();
            await stream.WriteAsync(PlainHttp.UpgradeRequest()).AsTask().WaitAsync(HostProcess.Timeout);
            var buffer = new byte[512];
            int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(HostProcess.Timeout);
            Assert.StartsWith("HTTP/1.1 101 ", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
            await stream.WriteAsync(new byte[] { 0x88, 0x80, 1, 2, 3, 4 }).AsTask().WaitAsync(HostProcess.Timeout); // a masked close, empty

            string closed = await host.WaitForStdoutAsync(l => l.Contains(" closed by ", StringComparison.Ordinal));
            Assert.Matches(@"info: WsServer\[35\] Connection \d+ from 127\.0\.0\.1:\d+ closed by the peer without a status \(1005\)$", closed);
        }
    }

    [Fact]
    public async Task CloseWithStatusNamesTheCodeAndReason()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync();
        using (host)
        {
            using ClientWebSocket client = await BclClient.ConnectAsync(uri);
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(HostProcess.Timeout);

            string closed = await host.WaitForStdoutAsync(l => l.Contains("WsServer[3]", StringComparison.Ordinal));
            Assert.Matches(@"info: WsServer\[3\] Connection \d+ from 127\.0\.0\.1:\d+ closed by the peer with 1000 \(NormalClosure\) bye$", closed);
        }
    }

    [Fact]
    public async Task StoppingWithOneConnectionSaysOneConnection()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync();
        using (host)
        {
            using ClientWebSocket client = await BclClient.ConnectAsync(uri);
            host.Terminate();

            string stopping = await host.WaitForStdoutAsync(l => l.Contains("WsServer[9]", StringComparison.Ordinal));
            Assert.EndsWith("info: WsServer[9] Stopping: closing 1 connection with 1001", stopping, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PlainHttpRequestToAWebSocketPathIsLoggedAtDebugOnly()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--log-level", "Debug");
        using (host)
        {
            string local = await FaviconAsync(uri);

            string refused = await host.WaitForStdoutAsync(l => l.Contains("/favicon.ico", StringComparison.Ordinal));
            Assert.EndsWith($"dbug: WsServer[36] Plain HTTP request from {local} for /favicon.ico refused: 426 this resource speaks WebSocket: upgrade required", refused, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PlainHttpRequestIsNotLoggedAtInformation()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync();
        using (host)
        {
            await FaviconAsync(uri);
            // A WebSocket connection after it: once its close is logged, a line for the request would have been too.
            using (ClientWebSocket client = await BclClient.ConnectAsync(uri))
                await client.CloseAsync(WebSocketCloseStatus.NormalClosure);
            await host.WaitForStdoutAsync(l => l.Contains("WsServer[3]", StringComparison.Ordinal));

            Assert.DoesNotContain(host.Stdout, l => l.Contains("/favicon.ico", StringComparison.Ordinal));
        }
    }

    /// <summary>A browser's request for its icon, on a path a WebSocket handler serves: answered 426. Returns
    /// the client's address as the server sees it.</summary>
    private static async Task<string> FaviconAsync(Uri uri)
    {
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(uri.Host, uri.Port).WaitAsync(HostProcess.Timeout);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).AsTask().WaitAsync(HostProcess.Timeout);
        var buffer = new byte[64];
        int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(HostProcess.Timeout);
        Assert.StartsWith("HTTP/1.1 426 ", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        return tcp.Client.LocalEndPoint!.ToString()!;
    }
}
