using System.Net;
using System.Net.Sockets;

namespace WsServer.Benchmarks.Connection;

/// <summary>
/// The client side of the connection benchmarks: a blocking <see cref="Socket"/> that sends prepared
/// bytes and reads into the caller's buffers, so it allocates nothing per frame.
/// </summary>
/// <remarks>Blocking calls, not <c>SendAsync</c>/<c>ReceiveAsync</c>: on a socket that never went
/// asynchronous they are plain syscalls (no event args, no continuation, no task), and every byte the
/// client allocates is then allocated on the benchmark's own thread, where
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> can tell the client's share from the server's
/// (BenchmarkDotNet counts the whole process).</remarks>
public sealed class RawClient : IDisposable
{
    // A hung server fails the benchmark instead of stalling it.
    private const int TimeoutMilliseconds = 10_000;

    private readonly Socket _socket;

    private RawClient(Socket socket) => _socket = socket;

    /// <summary>Connects to <paramref name="server"/> (TCP only; no WebSocket bytes yet).</summary>
    public static RawClient Connect(IPEndPoint server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = TimeoutMilliseconds,
            SendTimeout = TimeoutMilliseconds,
        };
        try
        {
            socket.Connect(server);
            return new RawClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects and completes the opening handshake; <paramref name="scratch"/> receives the 101.</summary>
    public static RawClient ConnectAndUpgrade(IPEndPoint server, Span<byte> scratch)
    {
        RawClient client = Connect(server);
        try
        {
            client.Upgrade(scratch);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends the upgrade request and reads the 101 answer into <paramref name="scratch"/>.</summary>
    public void Upgrade(Span<byte> scratch)
    {
        Send(ClientFrames.UpgradeRequest);
        int headLength = ReceiveHead(scratch);
        if (!scratch[..headLength].StartsWith("HTTP/1.1 101 "u8))
            throw new InvalidOperationException("The server did not answer the upgrade with 101.");
    }

    public void Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
            bytes = bytes[_socket.Send(bytes)..];
    }

    /// <summary>Fills <paramref name="buffer"/> exactly; throws when the server ends the stream first.</summary>
    public void ReceiveExactly(Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int read = _socket.Receive(buffer);
            if (read == 0) throw new InvalidOperationException("The server ended the stream mid-frame.");
            buffer = buffer[read..];
        }
    }

    /// <summary>Reads one short server frame (a payload of at most 125 bytes, as every control frame has,
    /// so a 2-byte header) into <paramref name="buffer"/>; returns the frame's length.</summary>
    public int ReceiveShortFrame(Span<byte> buffer)
    {
        ReceiveExactly(buffer[..2]);
        int payloadLength = buffer[1] & 0x7F;
        if (payloadLength > 125 || 2 + payloadLength > buffer.Length)
            throw new InvalidOperationException("Expected a short unmasked server frame.");
        ReceiveExactly(buffer.Slice(2, payloadLength));
        return 2 + payloadLength;
    }

    /// <summary>True when the server's FIN is next (a read returns 0 bytes).</summary>
    public bool ReceiveEnd(Span<byte> scratch) => _socket.Receive(scratch) == 0;

    // The server sends nothing after its 101 until the client speaks, so the head ends the read.
    private int ReceiveHead(Span<byte> buffer)
    {
        int total = 0;
        while (true)
        {
            if (total == buffer.Length) throw new InvalidOperationException("The 101 answer is larger than the buffer.");
            int read = _socket.Receive(buffer[total..]);
            if (read == 0) throw new InvalidOperationException("The server ended the stream during the handshake.");
            total += read;
            int end = buffer[..total].IndexOf("\r\n\r\n"u8);
            if (end < 0) continue;
            if (end + 4 != total) throw new InvalidOperationException("Unexpected bytes after the 101 answer.");
            return total;
        }
    }

    public void Dispose() => _socket.Dispose();
}
