using System.Net.Sockets;
using System.Text;

namespace WsServer.Tests.TestSupport;

/// <summary>An HTTP response as a raw client read it: status, head and body (read to the end of the connection).</summary>
public sealed record HttpAnswer(int Status, string Head, string Body)
{
    public string? Header(string name) => Head.Split("\r\n")
        .FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();
}

/// <summary>Sends one request over loopback, by hand, and reads the whole answer.</summary>
public static class HttpExchange
{
    public static string UpgradeRequest(int port, string path, string? extraHeaders = null) =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";

    public static async Task<HttpAnswer> SendAsync(int port, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, Timeouts.Token());
        return await SendAsync(tcp.GetStream(), request);
    }

    public static Task<HttpAnswer> SendAsync(Stream stream, string request) => SendAsync(stream, Encoding.ASCII.GetBytes(request));

    /// <summary>Sends <paramref name="request"/> as Latin-1, one byte per char (so "\xe9" is the byte E9), in one write.</summary>
    public static async Task<HttpAnswer> SendLatin1Async(int port, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, Timeouts.Token());
        return await SendAsync(tcp.GetStream(), Encoding.Latin1.GetBytes(request));
    }

    public static async Task<HttpAnswer> SendAsync(Stream stream, byte[] request)
    {
        await stream.WriteAsync(request, Timeouts.Token());
        using var received = new MemoryStream();
        var one = new byte[1];
        // The head byte by byte, so nothing after it is read: a 101 leaves the connection open.
        while (!received.ToArray().AsSpan().EndsWith("\r\n\r\n"u8))
        {
            if (await stream.ReadAsync(one, Timeouts.Token()) == 0) Assert.Fail($"No HTTP response head in: {Encoding.UTF8.GetString(received.ToArray())}");
            received.WriteByte(one[0]);
        }
        string head = Encoding.ASCII.GetString(received.ToArray())[..^4];
        int status = int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        if (status == 101) return new HttpAnswer(status, head, "");
        using var body = new MemoryStream();
        await stream.CopyToAsync(body, Timeouts.Token());
        return new HttpAnswer(status, head, Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>True when the server closes the connection without answering anything.</summary>
    public static async Task<bool> IsDroppedAsync(Stream stream)
    {
        var buffer = new byte[256];
        try
        {
            return await stream.ReadAsync(buffer, Timeouts.Token()) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
