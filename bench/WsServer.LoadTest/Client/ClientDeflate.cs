using System.IO.Compression;
using System.Text.RegularExpressions;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Client;

/// <summary>permessage-deflate (RFC 7692) on this tool's side: the offer, and text frames compressed with
/// System.IO.Compression (not the project's deflater, so the servers inflate an independent encoder's output).
/// Each message is compressed on its own, so one encoded frame can be sent again and again: a sender may
/// always leave its context out (§7.1.1.2 lets the client say so in its offer; it needs no answer).</summary>
internal static partial class ClientDeflate
{
    /// <summary>The offer browsers send.</summary>
    public const string Offer = "permessage-deflate; client_max_window_bits";

    /// <summary>A masked text frame with RSV1 set, its payload <paramref name="text"/> deflated with a sync
    /// flush whose <c>00 00 FF FF</c> tail is removed (§7.2.1).</summary>
    public static byte[] EncodeText(ReadOnlySpan<byte> text)
    {
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(text);
            deflate.Flush(); // Z_SYNC_FLUSH: ends on a byte boundary with 00 00 FF FF.
            // What Dispose adds after this (the final block) is not part of the message.
            byte[] flushed = compressed.ToArray();
            if (!flushed.AsSpan(flushed.Length - 4).SequenceEqual(PayloadInflater.FlushTail))
                throw new InvalidOperationException("DeflateStream's flush did not end with 00 00 FF FF.");
            var frame = new System.Buffers.ArrayBufferWriter<byte>(flushed.Length + 14);
            FrameWriter.WriteFrame(frame, Opcode.Text, flushed.AsSpan(0, flushed.Length - 4), rsv1: true,
                maskingKey: PayloadMask.NewKey());
            return frame.WrittenSpan.ToArray();
        }
    }

    /// <summary>Fails unless <paramref name="extensions"/> (the server's answer) accepted permessage-deflate with a
    /// client window this encoder keeps to (15 bits: DeflateStream's only window).</summary>
    public static void CheckAnswer(string serverName, string? extensions)
    {
        if (extensions is null || !extensions.StartsWith(DeflateParameters.ExtensionName, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{serverName} did not accept permessage-deflate (answered '{extensions}').");
        if (ClientWindow().Match(extensions) is { Success: true } window && window.Groups[1].Value != "15")
            throw new InvalidOperationException($"{serverName} asked for a client window of {window.Groups[1].Value} bits; "
                + "this client compresses with 15.");
    }

    [GeneratedRegex(@"client_max_window_bits\s*=\s*""?(\d+)")]
    private static partial Regex ClientWindow();
}
