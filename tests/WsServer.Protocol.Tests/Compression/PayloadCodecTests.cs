using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Compression;

/// <summary>RFC 7692 §7.2: compressing and decompressing message payloads, byte for byte against the
/// §7.2.3 examples.</summary>
public class PayloadCodecTests
{
    private static byte[] Compress(PayloadDeflater deflater, byte[] message)
    {
        using CompressedPayload compressed = deflater.Compress(message);
        return compressed.Span.ToArray();
    }

    private static byte[] Inflate(PayloadInflater inflater, byte[] payload, int outputChunk = 7)
    {
        var result = new List<byte>();
        var output = new byte[outputChunk];
        foreach (byte[] input in new[] { payload, PayloadInflater.FlushTail.ToArray() })
        {
            ReadOnlySpan<byte> rest = input;
            while (true)
            {
                Assert.Equal(OperationStatus.Done, inflater.Inflate(rest, output, out int consumed, out int written));
                result.AddRange(output.AsSpan(0, written).ToArray());
                rest = rest[consumed..];
                if (rest.IsEmpty && written < output.Length) break;
            }
        }
        inflater.EndMessage();
        return [.. result];
    }

    [Fact]
    public void Rfc7692_7_2_3_1_CompressesHelloAsInTheExample()
    {
        using var deflater = new PayloadDeflater(15, noContextTakeover: false);

        Assert.Equal("f248cdc9c90700", Hex.Format(Compress(deflater, "Hello"u8.ToArray())));
    }

    [Fact]
    public void Rfc7692_7_2_3_2_SecondHelloRefersToTheSharedWindow()
    {
        using var deflater = new PayloadDeflater(15, noContextTakeover: false);
        Compress(deflater, "Hello"u8.ToArray());

        Assert.Equal("f200110000", Hex.Format(Compress(deflater, "Hello"u8.ToArray())));
    }

    [Fact]
    public void Rfc7692_7_1_1_NoContextTakeoverCompressesEachMessageAlone()
    {
        using var deflater = new PayloadDeflater(15, noContextTakeover: true);
        Compress(deflater, "Hello"u8.ToArray());

        Assert.Equal("f248cdc9c90700", Hex.Format(Compress(deflater, "Hello"u8.ToArray())));
        Assert.False(deflater.HoldsState);
    }

    [Theory]
    [InlineData("f248cdc9c90700")]                    // §7.2.3.1
    [InlineData("0005 00faff 48656c6c6f 00")]        // §7.2.3.3, a stored block
    [InlineData("f348cdc9c90700")]                    // §7.2.3.4, BFINAL set
    [InlineData("f24805000000ffffcac9c90700")]        // §7.2.3.5, two blocks
    public void Rfc7692_7_2_3_InflatesEveryExampleToHello(string payload)
    {
        using var inflater = new PayloadInflater(15, noContextTakeover: false);

        Assert.Equal("Hello", Encoding.ASCII.GetString(Inflate(inflater, Hex.Parse(payload))));
    }

    [Fact]
    public void Rfc7692_7_2_3_2_InflatesTheSharedWindowExample()
    {
        using var inflater = new PayloadInflater(15, noContextTakeover: false);
        Inflate(inflater, Hex.Parse("f248cdc9c90700"));

        Assert.Equal("Hello", Encoding.ASCII.GetString(Inflate(inflater, Hex.Parse("f200110000"))));
    }

    [Fact]
    public void Rfc7692_7_2_3_6_EmptyMessageIsOneZeroByte()
    {
        using var deflater = new PayloadDeflater(15, noContextTakeover: false);
        using var inflater = new PayloadInflater(15, noContextTakeover: false);

        byte[] compressed = Compress(deflater, []);

        Assert.Equal("00", Hex.Format(compressed));
        Assert.Empty(Inflate(inflater, compressed));
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(8, true)]
    [InlineData(9, false)]
    [InlineData(12, true)]
    [InlineData(15, false)]
    [InlineData(15, true)]
    public void RoundTripsManyMessagesWithEveryWindow(int windowBits, bool noContextTakeover)
    {
        using var deflater = new PayloadDeflater(windowBits, noContextTakeover);
        using var inflater = new PayloadInflater(windowBits, noContextTakeover);
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i % 37} of a text 日本語\n")));

        foreach (byte[] message in new[] { text, RandomNumberGenerator.GetBytes(5000), [], text[..100], text })
            Assert.Equal(message, Inflate(inflater, Compress(deflater, message), outputChunk: 4096));
    }

    [Fact]
    public void Rfc7692_7_1_2_1_WindowOf8IsHonouredForAReceiverWithA256ByteWindow()
    {
        // zlib cannot deflate with a raw 8-bit window; it runs 9, whose matches reach back 250 bytes at most.
        using var deflater = new PayloadDeflater(8, noContextTakeover: false);
        using ZStreamHandle strict = ZStreamHandle.CreateInflater(8);
        byte[] message = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"{i % 300:D4}-abcdefghij")));

        byte[] compressed = [.. Compress(deflater, message), .. PayloadInflater.FlushTail];
        var output = new byte[message.Length + 16];
        int status = strict.Run(compressed, output, ZStreamHandle.SyncFlush, out int consumed, out int written);

        Assert.Equal(ZStreamHandle.Ok, status);
        Assert.Equal(compressed.Length, consumed);
        Assert.Equal(message, output[..written]);
    }

    [Fact]
    public void InvalidDeflateDataIsReported()
    {
        using var inflater = new PayloadInflater(15, noContextTakeover: false);

        // BTYPE 11 is reserved (RFC 1951 §3.2.3).
        Assert.Equal(OperationStatus.InvalidData, inflater.Inflate([0xff, 0xff], new byte[16], out _, out _));
    }

    [Fact]
    public void NoContextTakeoverInflaterHoldsNoStateBetweenMessages()
    {
        using var inflater = new PayloadInflater(15, noContextTakeover: true);

        Inflate(inflater, Hex.Parse("f248cdc9c90700"));

        Assert.False(inflater.HoldsState);
    }
}
