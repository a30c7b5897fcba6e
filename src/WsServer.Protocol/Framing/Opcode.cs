namespace WsServer.Protocol.Framing;

/// <summary>Frame opcodes of RFC 6455 §5.2; 3-7 and 11-15 are reserved.</summary>
public enum Opcode : byte
{
    /// <summary>A continuation of a fragmented message.</summary>
    Continuation = 0x0,
    /// <summary>The first frame of a text message.</summary>
    Text = 0x1,
    /// <summary>The first frame of a binary message.</summary>
    Binary = 0x2,
    /// <summary>A close control frame.</summary>
    Close = 0x8,
    /// <summary>A ping control frame.</summary>
    Ping = 0x9,
    /// <summary>A pong control frame.</summary>
    Pong = 0xA,
}

/// <summary>Classification of opcodes.</summary>
public static class OpcodeExtensions
{
    /// <summary>True for close, ping, pong and the reserved control opcodes (0x8-0xF), per §5.5.</summary>
    public static bool IsControl(this Opcode opcode) => ((byte)opcode & 0x8) != 0;

    /// <summary>True for the six opcodes RFC 6455 defines; false for reserved ones.</summary>
    public static bool IsDefined(this Opcode opcode) => opcode is Opcode.Continuation or Opcode.Text
        or Opcode.Binary or Opcode.Close or Opcode.Ping or Opcode.Pong;
}
