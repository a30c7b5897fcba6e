using System.Net.WebSockets;

namespace WsServer.Benchmarks.Support;

/// <summary>The BCL's server-side WebSocket reading the same wire bytes from memory.</summary>
/// <remarks>
/// Fairness: the WebSocket and its MemoryStream are created once and reused: each operation rewinds
/// the stream and reads every message into one reused buffer, as our session reuses its pooled one.
/// That is sound because every operation ends on a frame boundary with the stream drained, so the
/// WebSocket has nothing buffered when the stream is rewound. Keep-alive is off (no timer; our codec
/// has none). ReceiveAsync over a MemoryStream completes synchronously, so no await is needed; the
/// BCL unmasks and validates text UTF-8 like our codec.
/// </remarks>
public sealed class BclReceiver : IDisposable
{
    private readonly MemoryStream _stream;
    private readonly WebSocket _socket;
    private readonly byte[] _buffer;
    private readonly int _messages;

    public BclReceiver(byte[] wire, int messages, int maxMessageSize)
    {
        // CreateFromStream insists on a writable stream; a private copy keeps the caller's bytes intact.
        _stream = new MemoryStream((byte[])wire.Clone(), writable: true);
        _socket = WebSocket.CreateFromStream(_stream,
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        _buffer = new byte[maxMessageSize];
        _messages = messages;
    }

    /// <summary>Rewinds and reads every message; returns the payload bytes read.</summary>
    public long ReadAll()
    {
        _stream.Position = 0;
        long total = 0;
        for (int i = 0; i < _messages; i++)
        {
            int offset = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                ValueTask<ValueWebSocketReceiveResult> receive = _socket.ReceiveAsync(_buffer.AsMemory(offset), default);
                result = receive.IsCompletedSuccessfully ? receive.Result : receive.AsTask().GetAwaiter().GetResult();
                offset += result.Count;
            }
            while (!result.EndOfMessage);
            total += offset;
        }

        return total;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _stream.Dispose();
    }
}
