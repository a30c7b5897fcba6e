using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Messages;

namespace WsServer.Protocol.Session;

/// <summary>One end of a WebSocket connection after the handshake: bytes in, events and bytes out,
/// with the RFC's automatic replies (pong for ping, close echo, failing close). Not thread-safe.</summary>
public sealed class ProtocolSession(EndpointRole role, ProtocolOptions? options = null) : IDisposable
{
    /// <summary>The role this session speaks for.</summary>
    public EndpointRole Role { get; } = role;

    /// <summary>The options in force.</summary>
    public ProtocolOptions Options { get; } = options ?? ProtocolOptions.Default;

    /// <summary>Where the session is in the closing handshake.</summary>
    public SessionState State { get; private set; }

    /// <summary>Reads the next event. Consumes whole frames and partial payloads (so text is validated
    /// as it streams in); leaves only an incomplete frame header unconsumed. Returns NeedMoreData when
    /// all usable input is consumed, InvalidData (with the failing close already in
    /// <paramref name="replies"/>) on a protocol violation.</summary>
    public OperationStatus TryReadEvent(ref ReadOnlySequence<byte> input, IBufferWriter<byte> replies,
        out ProtocolEvent evt) => throw new NotImplementedException();

    /// <summary>Writes a whole message as one frame (masked in the client role).</summary>
    public void WriteMessage(IBufferWriter<byte> output, MessageKind kind, ReadOnlySpan<byte> payload) =>
        throw new NotImplementedException();

    /// <summary>Writes a ping of at most 125 bytes.</summary>
    public void WritePing(IBufferWriter<byte> output, ReadOnlySpan<byte> payload) =>
        throw new NotImplementedException();

    /// <summary>Writes a pong of at most 125 bytes.</summary>
    public void WritePong(IBufferWriter<byte> output, ReadOnlySpan<byte> payload) =>
        throw new NotImplementedException();

    /// <summary>Starts the closing handshake; a null code sends an empty close frame.</summary>
    public void WriteClose(IBufferWriter<byte> output, CloseCode? code = CloseCode.NormalClosure, string? reason = null) =>
        throw new NotImplementedException();

    /// <summary>Returns pooled buffers.</summary>
    public void Dispose() => State = SessionState.Closed;
}
