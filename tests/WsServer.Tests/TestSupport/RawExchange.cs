using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace WsServer.Tests.TestSupport;

/// <summary>What a conformance case expects back from the server, on top of <see cref="RawClient"/>.</summary>
public static class RawExchange
{
    /// <summary>Reads one data message (joining fragments, skipping nothing) and asserts it.</summary>
    public static async Task ExpectMessageAsync(this RawClient client, int opcode, byte[] payload)
    {
        ReceivedFrame frame = (await client.ReadFrameAsync()) ?? throw new EndOfStreamException("No message: TCP closed.");
        Assert.Equal(opcode, frame.Opcode);
        var data = new MemoryStream();
        data.Write(frame.Payload);
        while (!frame.Fin)
        {
            frame = (await client.ReadFrameAsync()) ?? throw new EndOfStreamException("TCP closed mid-message.");
            Assert.Equal(0, frame.Opcode);
            data.Write(frame.Payload);
        }
        Assert.True(payload.AsSpan().SequenceEqual(data.ToArray()), $"echo of {payload.Length} bytes differs");
    }

    public static Task ExpectTextAsync(this RawClient client, string text) => client.ExpectMessageAsync(1, Encoding.UTF8.GetBytes(text));

    /// <summary>The next frame is a pong carrying <paramref name="payload"/>.</summary>
    public static async Task ExpectPongAsync(this RawClient client, byte[] payload)
    {
        ReceivedFrame? frame = await client.ReadFrameAsync();
        Assert.Equal(10, frame?.Opcode);
        Assert.Equal(payload, frame!.Value.Payload);
    }

    /// <summary>The next frame is a close with <paramref name="code"/> (null: an empty close), then TCP closes.</summary>
    public static async Task ExpectCloseAsync(this RawClient client, ushort? code)
    {
        ReceivedFrame? frame = await client.ReadFrameAsync();
        Assert.True(frame?.Opcode == 8, $"expected a close frame, got {(frame is null ? "TCP close" : $"opcode {frame.Value.Opcode}")}");
        Assert.Equal(code, frame!.Value.CloseCode);
        Assert.True(await client.ServerClosedTcpAsync(), "the server should close TCP after the closing handshake");
    }

    /// <summary>Sends a client close and expects the echo and the TCP close.</summary>
    public static async Task CloseNormallyAsync(this RawClient client)
    {
        await client.SendAsync(ClientFrame.Close(1000));
        await client.ExpectCloseAsync(1000);
    }
}

/// <summary>Large client frames built straight into arrays (the list-based builder is for small cases).</summary>
public static class BulkFrames
{
    /// <summary>A message cut into frames of <paramref name="frameSize"/> bytes, masked, in one buffer.</summary>
    public static byte[] Fragmented(int opcode, byte[] message, int frameSize, int rsvFirst = 0)
    {
        int frames = Math.Max(1, (message.Length + frameSize - 1) / frameSize);
        var output = new MemoryStream(message.Length + frames * 14);
        Span<byte> header = stackalloc byte[14];
        for (int i = 0; i < frames; i++)
        {
            int offset = i * frameSize;
            int length = Math.Min(frameSize, message.Length - offset);
            bool fin = i == frames - 1;
            header[0] = (byte)((fin ? 0x80 : 0) | (i == 0 ? (rsvFirst << 4) | opcode : 0));
            int at;
            if (length <= 125) { header[1] = (byte)(0x80 | length); at = 2; }
            else if (length <= ushort.MaxValue) { header[1] = 0x80 | 126; BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)length); at = 4; }
            else { header[1] = 0x80 | 127; BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)length); at = 10; }
            ClientFrame.Key.CopyTo(header[at..]);
            output.Write(header[..(at + 4)]);
            byte[] chunk = message.AsSpan(offset, length).ToArray();
            for (int j = 0; j < chunk.Length; j++) chunk[j] ^= ClientFrame.Key[j & 3];
            output.Write(chunk);
        }
        return output.ToArray();
    }

    public static byte[] Random(int length) => RandomNumberGenerator.GetBytes(length);
}
