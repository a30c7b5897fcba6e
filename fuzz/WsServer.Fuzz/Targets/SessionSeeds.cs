using System.Buffers;
using System.Text;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Session;

namespace WsServer.Fuzz.Targets;

/// <summary>The seed corpus and dictionary of the session targets: valid conversations and one of
/// each kind of violation, masked when the reader is a server.</summary>
internal static class SessionSeeds
{
    public static IReadOnlyList<byte[]> Tokens { get; } =
    [
        [0x81], [0x82], [0x01], [0x00], [0x80], [0x88], [0x89], [0x8A], [0x8B], [0x03], [0xC1], [0xA2],
        [0x7D], [0x7E], [0x7F], [0xFE], [0xFF], [0x7E, 0x00, 0x7E], [0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0],
        [0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0], [0x03, 0xE8], [0x03, 0xEA], [0x03, 0xF1], [0x03, 0xED], [0x0F, 0xA0],
        [0xE3, 0x81, 0x82], [0xF0, 0x9F, 0x98, 0x80], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90], [0xCE],
    ];

    public static IReadOnlyList<byte[]> Build(EndpointRole readerRole)
    {
        uint key = 0x37FA213D;
        uint? Mask() => readerRole == EndpointRole.Server ? key++ : null;
        byte[] Frames(params (Opcode Opcode, byte[] Payload, bool Fin)[] frames) =>
            Compressed([.. frames.Select(f => (f.Opcode, f.Payload, f.Fin, false))]);
        byte[] Compressed(params (Opcode Opcode, byte[] Payload, bool Fin, bool Rsv1)[] frames)
        {
            var output = new ArrayBufferWriter<byte>();
            foreach ((Opcode opcode, byte[] payload, bool fin, bool rsv1) in frames)
                FrameWriter.WriteFrame(output, opcode, payload, fin, rsv1, maskingKey: Mask());
            return output.WrittenSpan.ToArray();
        }

        byte[] hello = "Hello"u8.ToArray();
        byte[] japanese = Encoding.UTF8.GetBytes("吾輩は猫である");
        byte[] medium = new byte[300];
        byte[] large = new byte[70_000];
        byte[] unmaskedHello = [0x81, 0x05, .. hello];
        byte[][] wires =
        [
            Frames((Opcode.Text, hello, true)),
            Frames((Opcode.Binary, medium, true), (Opcode.Binary, [], true)),
            Frames((Opcode.Text, japanese[..4], false), (Opcode.Ping, "p"u8.ToArray(), true),
                (Opcode.Continuation, japanese[4..], true)),
            Frames((Opcode.Pong, [], true), (Opcode.Close, [0x03, 0xE8, .. "bye"u8], true)),
            Frames((Opcode.Close, [], true)),
            Frames((Opcode.Binary, large, true)),
            Frames((Opcode.Text, [0xED, 0xA0, 0x80], true)),
            Frames((Opcode.Continuation, hello, true)),
            Frames((Opcode.Close, [0x03], true)),
            unmaskedHello,
            [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],
        ];

        // Each wire under a few control bytes: one read; 1-3 byte reads; 1-31 byte reads with the
        // small limit and an early close of our own.
        byte[] controls = [0x00, 0x03, 0x1F | 0x20 | 0x40];
        // RFC 7692 §7.2.3: "Hello" compressed, then again with the shared window, and in two fragments;
        // read with permessage-deflate negotiated (control bit 7).
        byte[][] compressed =
        [
            Compressed((Opcode.Text, [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00], true, true),
                (Opcode.Text, [0xF2, 0x00, 0x11, 0x00, 0x00], true, true)),
            Compressed((Opcode.Text, [0xF2, 0x48, 0xCD], false, true), (Opcode.Continuation, [0xC9, 0xC9, 0x07, 0x00], true, false)),
            Compressed((Opcode.Binary, [0xFF, 0xFF, 0xFF], true, true)),
        ];
        byte[] deflateControls = [0x80, 0x83, 0x1F | 0x20 | 0x40 | 0x80];
        return [.. wires.SelectMany(wire => controls.Select(c => (byte[])[c, .. wire])),
            .. compressed.SelectMany(wire => deflateControls.Select(c => (byte[])[c, .. wire]))];
    }
}
