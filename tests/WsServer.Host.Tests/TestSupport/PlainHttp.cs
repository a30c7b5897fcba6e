using System.Net;
using System.Text;

namespace WsServer.Host.Tests.TestSupport;

/// <summary>The program's HTTP side, spoken by hand: a plain GET, and an upgrade request's exact bytes for a test
/// that writes them on a raw socket.</summary>
public static class PlainHttp
{
    /// <summary>The status and body of <c>GET path</c> on the program at <paramref name="server"/>'s port.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(Uri server, string path)
    {
        using var http = new HttpClient();
        using var timeout = new CancellationTokenSource(HostProcess.Timeout);
        HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}{path}"), timeout.Token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A valid upgrade request for <paramref name="path"/>, the RFC 6455 §1.3 sample key.</summary>
    public static byte[] UpgradeRequest(string path = "/", string host = "127.0.0.1") => Encoding.ASCII.GetBytes(
        $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}
