using System.Buffers;
using System.Text;
using WsServer.Protocol.Framing;

namespace WsServer.Connections;

/// <summary>A message encoded once as a server frame, to be sent to many connections (fan-out)
/// with no further encoding: each send only copies the frame bytes into that connection's queue.</summary>
public sealed class PreparedMessage
{
    private readonly byte[] _frame;

    private PreparedMessage(byte[] frame) => _frame = frame;

    /// <summary>The encoded frame, header included.</summary>
    public ReadOnlyMemory<byte> Frame => _frame;

    /// <summary>Encodes a text message.</summary>
    public static PreparedMessage Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encode(Opcode.Text, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Encodes a text message given as UTF-8 bytes (not re-validated).</summary>
    public static PreparedMessage Text(ReadOnlySpan<byte> utf8) => Encode(Opcode.Text, utf8);

    /// <summary>Encodes a binary message.</summary>
    public static PreparedMessage Binary(ReadOnlySpan<byte> data) => Encode(Opcode.Binary, data);

    private static PreparedMessage Encode(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        var writer = new ArrayBufferWriter<byte>(payload.Length + 10);
        FrameWriter.WriteFrame(writer, opcode, payload);
        return new PreparedMessage(writer.WrittenSpan.ToArray());
    }
}
