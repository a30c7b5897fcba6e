using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
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
/// frame so that the load tool's own work stays out of the figures; its handshake is already the codec's.
/// The hot async methods use pooled state machines, so a receive or send that waits allocates nothing.</remarks>
internal sealed partial class WsClient : IDisposable
{
    private static readonly byte[] CloseFrame = Encode(Opcode.Close, [0x03, 0xE8]);
    private readonly Socket _socket;
    private readonly FrameReader _reader = new(EndpointRole.Client);
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _inFrame;
    private long _skip;
    private bool _skipEndsMessage;
    private bool _rsv1Allowed;
    private IMessageObserver? _observer;
    private bool _observingFrame;

    private WsClient(Socket socket, int bufferSize)
    {
        _socket = socket;
        _buffer = new byte[bufferSize];
    }

    /// <summary>True once the server's close frame was read.</summary>
    public bool CloseReceived { get; private set; }

    /// <summary>The <c>Sec-WebSocket-Extensions</c> the server answered; null for none.</summary>
    public string? Extensions { get; private set; }

    /// <summary>The socket, for a driver that receives and sends on it itself (see <see cref="Connect"/>).</summary>
    public Socket Socket => _socket;

    /// <summary>Bytes the server sent that this client has not read: what waits in the socket's receive
    /// buffer plus what the handshake read ahead.</summary>
    public int Unread => _socket.Available + (_end - _start);

    /// <summary>A whole masked frame, ready to be sent as often as wanted.</summary>
    public static byte[] Encode(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        var writer = new ArrayBufferWriter<byte>(payload.Length + 14);
        FrameWriter.WriteFrame(writer, opcode, payload, maskingKey: PayloadMask.NewKey());
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Shows the payload of each data frame read from now on to <paramref name="observer"/>, until
    /// its <see cref="IMessageObserver.FrameEnded"/> returns false.</summary>
    public void Observe(IMessageObserver observer) => _observer = observer;

    /// <summary>Sends all of <paramref name="bytes"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
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
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveMessagesAsync(CancellationToken ct) => Counted(await ReceiveAsync(ct));

    /// <summary>Where a driver of its own receives next: the buffer's free end, after unread bytes are moved to
    /// its start (or it grows, when they fill it). Then <see cref="Received"/>.</summary>
    public Span<byte> ReceiveRoom()
    {
        MakeRoom();
        return _buffer.AsSpan(_end);
    }

    /// <summary>Takes in the <paramref name="read"/> bytes received into <see cref="ReceiveRoom"/> and returns
    /// what <see cref="ReceiveMessagesAsync"/> would.</summary>
    public int Received(int read)
    {
        _end += read;
        return Counted(read);
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

    /// <summary>The whole closing handshake as RFC 6455 §7.1.1 has it end: sends a close frame, reads the
    /// server's close frame, then reads on until the server's FIN (a read returns 0), which the server sends
    /// first (§7.1.1: "the server SHOULD close the underlying TCP connection first"). True when both came;
    /// false when the stream ended without a close frame. A reset or <paramref name="ct"/> throws.</summary>
    public async Task<bool> CloseAndAwaitFinAsync(CancellationToken ct)
    {
        await SendAsync(CloseFrame, ct);
        while (await ReceiveAsync(ct) > 0) CountFrames();
        return CloseReceived;
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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveAsync(CancellationToken ct)
    {
        MakeRoom();
        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, ct);
        _end += read;
        return read;
    }

    private void MakeRoom()
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
    }

    private int Counted(int read)
    {
        int messages = CountFrames();
        return read == 0 || CloseReceived ? -1 : messages;
    }

    private int CountFrames()
    {
        int messages = 0;
        while (true)
        {
            if (_inFrame)
            {
                int take = (int)Math.Min(_skip, _end - _start);
                if (_observingFrame && take > 0) _observer!.Payload(_buffer.AsSpan(_start, take));
                _start += take;
                _skip -= take;
                if (_skip > 0) return messages;
                _inFrame = false;
                if (_observingFrame)
                {
                    _observingFrame = false;
                    if (!_observer!.FrameEnded()) _observer = null;
                }
                if (_skipEndsMessage) messages++;
            }
            if (_start == _end || !TryReadHeader(out FrameHeader header)) return messages;
            if (header.Opcode == Opcode.Close) CloseReceived = true;
            _inFrame = true;
            _skip = header.PayloadLength;
            _skipEndsMessage = header.Fin && !header.Opcode.IsControl();
            _observingFrame = _observer is not null && !header.Opcode.IsControl();
            if (_observingFrame) _observer!.FrameStarted(header);
        }
    }

    private bool TryReadHeader(out FrameHeader header)
    {
        // The codec's reader takes RSV1 only when its own session negotiated permessage-deflate (a switch internal
        // to it); this client negotiated it itself, so it notes the bit and hides it from the reader.
        bool rsv1 = _rsv1Allowed && (_buffer[_start] & 0x40) != 0;
        if (rsv1) _buffer[_start] &= 0xBF;
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_buffer, _start, _end - _start));
        OperationStatus status = _reader.TryReadHeader(ref reader, out header, out var violation);
        if (status == OperationStatus.NeedMoreData)
        {
            if (rsv1) _buffer[_start] |= 0x40;
            return false;
        }
        if (status != OperationStatus.Done) throw new IOException($"Bad frame from server: {violation.Reason}");
        _start += (int)reader.Consumed;
        header = header with { Rsv1 = rsv1 };
        return true;
    }
}

/// <summary>Sees the data frames a <see cref="WsClient"/> reads (control frames are not shown), in order:
/// the header, the payload in one or more pieces (valid only during the call), then the frame's end.</summary>
internal interface IMessageObserver
{
    void FrameStarted(in FrameHeader header);

    void Payload(ReadOnlySpan<byte> bytes);

    /// <summary>Returns false to be shown nothing more.</summary>
    bool FrameEnded();
}
