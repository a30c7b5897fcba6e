using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using WsServer.Client;
using WsServer.Protocol.Handshake;

namespace WsServer.Tests.TestSupport;

/// <summary>A server written by hand: it accepts one client, answers its handshake, reads its pings
/// and sends pongs only when told; it keeps the request head it read, for tests of what was offered.</summary>
public sealed class HandwrittenPeer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private TcpClient? _accepted;
    private NetworkStream? _stream;

    public HandwrittenPeer() => _listener.Start();

    /// <summary>Connects a client and answers its handshake with 101, and with
    /// <paramref name="extensions"/> as <c>Sec-WebSocket-Extensions</c> when given.</summary>
    public async Task<WebSocketClient> ConnectAsync(WebSocketClientOptions options, string? extensions = null)
    {
        int port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Task<WebSocketClient> connecting = WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), options, Timeouts.Token());
        _accepted = await _listener.AcceptTcpClientAsync(Timeouts.Token());
        _stream = _accepted.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            head.Append(Encoding.ASCII.GetString(buffer, 0, await _stream.ReadAsync(buffer, Timeouts.Token())));
        RequestHead = head.ToString();
        string key = Regex.Match(head.ToString(), "Sec-WebSocket-Key: (\\S+)").Groups[1].Value;
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {AcceptKey.Compute(key)}\r\n" +
            (extensions is null ? "" : $"Sec-WebSocket-Extensions: {extensions}\r\n") + "\r\n"), Timeouts.Token());
        return await connecting.Bounded();
    }

    /// <summary>Reads the client's next frame, which must be a ping, and returns its unmasked data.</summary>
    public async Task<byte[]> ReadPingAsync()
    {
        (byte first, byte[] data) = await ReadFrameAsync();
        Assert.Equal(0x89, first);
        return data;
    }

    /// <summary>Reads the client's next frame, of at most 125 bytes, and returns its first byte (FIN, RSV and
    /// opcode) and its unmasked payload.</summary>
    public async Task<(byte First, byte[] Payload)> ReadFrameAsync()
    {
        byte[] header = await ReadExactlyAsync(2);
        int length = header[1] & 0x7f;
        Assert.True(length <= 125, "a frame this peer reads has no extended length");
        byte[] mask = await ReadExactlyAsync(4);
        byte[] data = await ReadExactlyAsync(length);
        for (int i = 0; i < data.Length; i++) data[i] ^= mask[i % 4];
        return (header[0], data);
    }

    /// <summary>The client's request, up to its blank line.</summary>
    public string RequestHead { get; private set; } = "";

    /// <summary>Ends the TCP connection without a closing handshake.</summary>
    public void Cut() => _accepted?.Dispose();

    public async Task SendPongAsync(byte[] data) =>
        await _stream!.WriteAsync((byte[])[0x8a, (byte)data.Length, .. data], Timeouts.Token());

    public void Dispose()
    {
        _accepted?.Dispose();
        _listener.Dispose();
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        byte[] bytes = new byte[count];
        await _stream!.ReadExactlyAsync(bytes, Timeouts.Token());
        return bytes;
    }
}
