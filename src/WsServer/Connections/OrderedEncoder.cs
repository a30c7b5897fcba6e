using System.Buffers;
using System.Text;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;

namespace WsServer.Connections;

/// <summary>Where a message's frame goes once admitted: the server's send queue, or the client's output.</summary>
internal interface IFrameSink
{
    /// <summary>Enters the gate a frame is admitted and encoded under: the connection's, the client's.</summary>
    void EnterGate();

    /// <summary>Leaves the gate <see cref="EnterGate"/> entered.</summary>
    void ExitGate();

    /// <summary>Under the gate: may the frame go now? <paramref name="admitted"/> when it was admitted
    /// before it was compressed, so only a close since may refuse it.</summary>
    bool Admit(bool admitted);

    /// <summary>Under the gate, once admitted: where a frame of <paramref name="frameLength"/> bytes is written.</summary>
    IBufferWriter<byte> Reserve(int frameLength);
}

/// <summary>
/// The one ordered step from a message to its frame, for the server's connections and the client alike:
/// admitted and encoded under the connection's gate, so nothing can follow a close frame (RFC 6455 §5.5.1);
/// compressed, the one slow step, outside the gate but under the session's monitor, which keeps compressed
/// messages in the order their shared context saw them (RFC 7692 §7.2.1). A struct sink keeps it free of
/// allocations.
/// </summary>
internal static class OrderedEncoder
{
    /// <summary>Encodes a message of <paramref name="kind"/>; false when the sink refused it.</summary>
    public static bool Encode<TSink>(ProtocolSession session, ref TSink sink, MessageKind kind, ReadOnlySpan<byte> payload)
        where TSink : struct, IFrameSink
    {
        if (session.ShouldCompress(payload.Length)) return EncodeCompressed(session, ref sink, kind, payload);
        using (Hold(ref sink))
        {
            if (!sink.Admit(admitted: false)) return false;
            session.WriteMessage(sink.Reserve(FrameWriter.MaxHeaderLength + payload.Length), kind, payload);
            return true;
        }
    }

    /// <summary>Encodes a text message from UTF-16, straight into the frame when it is not compressed.</summary>
    public static bool EncodeText<TSink>(ProtocolSession session, ref TSink sink, ReadOnlySpan<char> text)
        where TSink : struct, IFrameSink
    {
        int length = Encoding.UTF8.GetByteCount(text);
        if (session.ShouldCompress(length))
        {
            byte[] utf8 = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                int written = Encoding.UTF8.GetBytes(text, utf8);
                return EncodeCompressed(session, ref sink, MessageKind.Text, utf8.AsSpan(0, written));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(utf8);
            }
        }
        using (Hold(ref sink))
        {
            if (!sink.Admit(admitted: false)) return false;
            session.WriteText(sink.Reserve(FrameWriter.MaxHeaderLength + length), text);
            return true;
        }
    }

    private static bool EncodeCompressed<TSink>(ProtocolSession session, ref TSink sink, MessageKind kind,
        ReadOnlySpan<byte> payload) where TSink : struct, IFrameSink
    {
        lock (session)
        {
            // A message the connection would refuse is not compressed.
            using (Hold(ref sink))
            {
                if (!sink.Admit(admitted: false)) return false;
            }
            using CompressedPayload compressed = session.Compress(payload);
            using (Hold(ref sink))
            {
                if (!sink.Admit(admitted: true)) return false;
                session.WriteMessage(sink.Reserve(FrameWriter.MaxHeaderLength + compressed.Span.Length), kind, compressed);
                return true;
            }
        }
    }

    // The sink's gate held for a using scope, as GateScope holds a connection's.
    private static SinkGate<TSink> Hold<TSink>(ref TSink sink) where TSink : struct, IFrameSink
    {
        sink.EnterGate();
        return new SinkGate<TSink>(ref sink);
    }

    private readonly ref struct SinkGate<TSink>(ref TSink sink) where TSink : struct, IFrameSink
    {
        private readonly ref TSink _sink = ref sink;

        public void Dispose() => _sink.ExitGate();
    }
}
