using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace WsServer.Tests.TestSupport;

/// <summary>A frame as the server sent it.</summary>
public readonly record struct ReceivedFrame(bool Fin, int Opcode, byte[] Payload)
{
    /// <summary>The RSV bits (RSV1 = 4): RSV1 marks a compressed message (RFC 7692 §6).</summary>
    public int Rsv { get; init; }

    public ushort? CloseCode => Opcode == 8 && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    public string Text => Encoding.UTF8.GetString(Opcode == 8 && Payload.Length >= 2 ? Payload[2..] : Payload);
}

/// <summary>A client written from the RFC text, independent of the project's codec: it sends exactly the
/// bytes a test wants (split anywhere, one byte at a time, many frames per write) and reads frames back.</summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new() { NoDelay = true };
    // One deadline for the client's whole life rather than a timer per read: a soak opens thousands.
    private readonly CancellationTokenSource _deadline = new(Timeouts.Default);
    private NetworkStream _stream = null!;

    /// <summary>Connects and upgrades; <paramref name="preamble"/> (a PROXY protocol header) goes first. A
    /// <paramref name="receiveBuffer"/> (bytes) makes the socket's receive buffer small: the server's sends then fill it.</summary>
    public static async Task<RawClient> ConnectAsync(int port, string path = "/", string? extraHeaders = null, byte[]? preamble = null,
        int? receiveBuffer = null)
    {
        var client = new RawClient();
        if (receiveBuffer is int size) client._tcp.ReceiveBufferSize = size;
        await client._tcp.ConnectAsync("127.0.0.1", port, client._deadline.Token);
        client._stream = client._tcp.GetStream();
        if (preamble is not null) await client.SendAsync(preamble);
        string request = $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                         $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";
        await client.SendAsync(Encoding.ASCII.GetBytes(request));
        string head = await client.ReadHeadAsync();
        client.ResponseHead = head;
        Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head, StringComparison.Ordinal);
        return client;
    }

    /// <summary>The server's 101 response head.</summary>
    public string ResponseHead { get; private set; } = "";

    /// <summary>Sends raw bytes, optionally in pieces of <paramref name="chunk"/> bytes.</summary>
    public async Task SendAsync(byte[] bytes, int chunk = int.MaxValue)
    {
        for (int offset = 0; offset < bytes.Length; offset += chunk)
        {
            int length = Math.Min(chunk, bytes.Length - offset);
            await _stream.WriteAsync(bytes.AsMemory(offset, length), _deadline.Token);
        }
    }

    public async Task<string> ReadHeadAsync()
    {
        var head = new List<byte>();
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            head.Add(await ReadByteAsync());
            if (head.Count > 64 * 1024) throw new InvalidOperationException("Response head too long.");
        }
        return Encoding.ASCII.GetString([.. head]);
    }

    /// <summary>Reads one frame; null when the server closed the TCP connection.</summary>
    public async Task<ReceivedFrame?> ReadFrameAsync()
    {
        byte[]? first = await TryReadExactlyAsync(2);
        if (first is null) return null;
        bool masked = (first[1] & 0x80) != 0;
        Assert.False(masked, "A server must not mask (RFC 6455 §5.1).");
        long length = first[1] & 0x7F;
        if (length == 126) length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2));
        else if (length == 127) length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8));
        byte[] payload = await ReadExactlyAsync((int)length);
        return new ReceivedFrame((first[0] & 0x80) != 0, first[0] & 0x0F, payload) { Rsv = (first[0] >> 4) & 7 };
    }

    /// <summary>Reads frames until a close frame; asserts the server then closes TCP.</summary>
    public async Task<ReceivedFrame> ReadCloseAsync()
    {
        for (int i = 0; i < 100_000; i++)
        {
            ReceivedFrame? frame = await ReadFrameAsync();
            Assert.NotNull(frame);
            if (frame.Value.Opcode == 8) return frame.Value;
        }
        throw new InvalidOperationException("No close frame.");
    }

    /// <summary>True once the server has closed the TCP connection (reads return EOF).</summary>
    public async Task<bool> ServerClosedTcpAsync()
    {
        var buffer = new byte[1024];
        try
        {
            for (int i = 0; i < 10_000; i++)
            {
                if (await _stream.ReadAsync(buffer, _deadline.Token) == 0) return true;
            }
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<byte> ReadByteAsync() => (await ReadExactlyAsync(1))[0];

    private async Task<byte[]> ReadExactlyAsync(int count) =>
        await TryReadExactlyAsync(count) ?? throw new EndOfStreamException("The server closed the connection.");

    private async Task<byte[]?> TryReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        int read = 0;
        while (read < count)
        {
            int n = await _stream.ReadAsync(buffer.AsMemory(read), _deadline.Token);
            if (n == 0) return read == 0 ? null : throw new EndOfStreamException("Connection closed mid-frame.");
            read += n;
        }
        return buffer;
    }

    /// <summary>Ends our sending side only (a TCP FIN), still able to read.</summary>
    public void HalfClose() => _tcp.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);

    /// <summary>Cuts the connection with a TCP reset, as a crashed peer or a middlebox would.</summary>
    public void Reset()
    {
        _tcp.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        _tcp.Dispose();
        _deadline.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        _deadline.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Client frames built by hand from RFC 6455 §5.2, masked with a fixed key.</summary>
public static class ClientFrame
{
    public static readonly byte[] Key = [0x37, 0xfa, 0x21, 0x3d];

    public static byte[] Build(int opcode, byte[] payload, bool fin = true, int rsv = 0)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        if (payload.Length <= 125) frame.Add((byte)(0x80 | payload.Length));
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) frame.Add((byte)((long)payload.Length >> shift));
        }
        frame.AddRange(Key);
        for (int i = 0; i < payload.Length; i++) frame.Add((byte)(payload[i] ^ Key[i % 4]));
        return [.. frame];
    }

    public static byte[] Text(string text, bool fin = true) => Build(1, Encoding.UTF8.GetBytes(text), fin);

    public static byte[] Close(ushort code, string reason = "")
    {
        byte[] payload = [(byte)(code >> 8), (byte)code, .. Encoding.UTF8.GetBytes(reason)];
        return Build(8, payload);
    }
}
