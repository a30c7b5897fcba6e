using System.Buffers;
using WsServer.Protocol.Session;
using WsServer.Protocol.Framing;

namespace WsServer.Benchmarks.Support;

/// <summary>Our server-role session reading wire bytes from one segment, as the connection loop does; with
/// <paramref name="inPlace"/>, as the server's sessions do (<see cref="ProtocolOptions.ReadMessagesInPlace"/>): each
/// pass unmasks the payloads where they lie, and the next unmasks them back (the same key XORed twice), which only
/// binary payloads, never validated, can take.</summary>
public sealed class SessionReceiver(byte[] wire, bool inPlace = false) : IDisposable
{
    private readonly ProtocolSession _session = new(EndpointRole.Server, new ProtocolOptions { ReadMessagesInPlace = inPlace });
    private readonly ArrayBufferWriter<byte> _replies = new(256);

    /// <summary>Reads every message of the wire bytes; returns the payload bytes read.</summary>
    public long ReadAll()
    {
        var input = new ReadOnlySequence<byte>(wire);
        long total = 0;
        while (_session.TryReadEvent(ref input, _replies, out ProtocolEvent evt) == OperationStatus.Done)
            total += evt.Payload.Length;
        if (!input.IsEmpty || _session.State != SessionState.Open)
            throw new InvalidOperationException("The benchmark input did not read cleanly.");
        return total;
    }

    public void Dispose() => _session.Dispose();
}
