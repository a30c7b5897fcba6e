using System.Buffers;
using System.Net;
using System.Net.Sockets;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;

namespace WsServer.LoadTest.Client;

/// <summary>A lean WebSocket client on a raw socket, built on the project's codec in the client role:
/// <see cref="ClientHandshake"/> for the upgrade, <see cref="FrameReader"/> to find frame boundaries in
/// what the server sends (payloads are skipped, never copied), and frames encoded once with
/// <see cref="FrameWriter"/> (masked) and sent again and again.</summary>
/// <remarks>Not <see cref="WsServer.Client.WebSocketClient"/>: that client copies every payload it receives
/// into a whole message and encodes each send, where this one must skip payloads and resend one encoded
/// frame so that the load tool's own work stays out of the figures; its handshake is already the codec's.</remarks>
internal sealed class WsClient : IDisposable
{
    private static readonly byte[] CloseFrame = Encode(Opcode.Close, [0x03, 0xE8]);
    private readonly Socket _socket;
    private readonly FrameReader _reader = new(EndpointRole.Client);
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _skip;
    private bool _skipEndsMessage;

    private WsClient(Socket socket, int bufferSize)
    {
        _socket = socket;
        _buffer = new byte[bufferSize];
    }

    /// <summary>True once the server's close frame was read.</summary>
    public bool CloseReceived { get; private set; }

    /// <summary>Bytes the server sent that this client has not read: what waits in the socket's receive
    /// buffer plus what the handshake read ahead.</summary>
    public int Unread => _socket.Available + (_end - _start);

    /// <summary>Connects and completes the opening handshake for <paramref name="path"/>.</summary>
    public static async Task<WsClient> ConnectAsync(IPEndPoint server, int bufferSize, CancellationToken ct, string path = "/")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new WsClient(socket, Math.Max(bufferSize, 1024));
        try
        {
            await socket.ConnectAsync(server, ct);
            var request = new ClientRequest { Host = server.ToString(), Path = path };
            var head = new ArrayBufferWriter<byte>(256);
            ClientHandshake.WriteRequest(head, request);
            await client.SendAsync(head.WrittenMemory, ct);
            while (true)
            {
                int read = await client.ReceiveAsync(ct);
                if (read == 0) throw new IOException("The server closed during the handshake.");
                int unread = client._end - client._start;
                var input = new ReadOnlySequence<byte>(client._buffer, client._start, unread);
                OperationStatus status = ClientHandshake.TryReadResponse(ref input, request, HandshakeLimits.Default,
                    out _, out string? error);
                if (status == OperationStatus.InvalidData) throw new IOException($"Handshake failed: {error}");
                if (status == OperationStatus.Done)
                {
                    client._start += unread - (int)input.Length;
                    return client;
                }
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A whole masked frame, ready to be sent as often as wanted.</summary>
    public static byte[] Encode(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        var writer = new ArrayBufferWriter<byte>(payload.Length + 14);
        FrameWriter.WriteFrame(writer, opcode, payload, maskingKey: PayloadMask.NewKey());
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Sends all of <paramref name="bytes"/>.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None, ct);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Receives once and returns how many whole data messages (final frames) were completed;
    /// -1 when the server closed (close frame or end of stream).</summary>
    public async ValueTask<int> ReceiveMessagesAsync(CancellationToken ct)
    {
        int read = await ReceiveAsync(ct);
        int messages = CountFrames();
        return read == 0 || CloseReceived ? -1 : messages;
    }

    /// <summary>Sends a close frame and reads until the server's close frame or end of stream, within
    /// <paramref name="timeout"/>.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await SendAsync(CloseFrame, cts.Token);
            while (!CloseReceived && await ReceiveMessagesAsync(cts.Token) >= 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
        {
            // Closing is best effort: the socket is disposed next anyway.
        }
    }

    /// <summary>Ends the sending direction (a FIN), so the server sees the end of the stream.</summary>
    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Already reset by the server.
        }
    }

    public void Dispose() => _socket.Dispose();

    private async ValueTask<int> ReceiveAsync(CancellationToken ct)
    {
        if (_start == _end) _start = _end = 0;
        else if (_end == _buffer.Length)
        {
            if (_start == 0) Array.Resize(ref _buffer, _buffer.Length * 2);
            else
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
        }
        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct);
        _end += read;
        return read;
    }

    private int CountFrames()
    {
        int messages = 0;
        while (true)
        {
            if (_skip > 0)
            {
                int take = (int)Math.Min(_skip, _end - _start);
                _start += take;
                _skip -= take;
                if (_skip > 0) return messages;
                if (_skipEndsMessage) messages++;
            }
            if (_start == _end) return messages;
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_buffer, _start, _end - _start));
            OperationStatus status = _reader.TryReadHeader(ref reader, out FrameHeader header, out var violation);
            if (status == OperationStatus.NeedMoreData) return messages;
            if (status != OperationStatus.Done) throw new IOException($"Bad frame from server: {violation.Reason}");
            _start += (int)reader.Consumed;
            if (header.Opcode == Opcode.Close) CloseReceived = true;
            _skip = header.PayloadLength;
            _skipEndsMessage = header.Fin && !header.Opcode.IsControl();
            if (_skip == 0 && _skipEndsMessage) messages++;
        }
    }
}
