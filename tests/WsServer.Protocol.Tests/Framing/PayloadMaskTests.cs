using CsCheck;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Framing;

/// <summary>RFC 6455 §5.3 Client-to-Server Masking.</summary>
public class PayloadMaskTests
{
    private static readonly Gen<(byte[] Data, uint Key, int Offset)> Inputs =
        Gen.Select(Gen.Byte.Array[0, 300], Gen.UInt, Gen.Int[0, 3]);

    [Fact]
    public void MasksHelloAsTheRfcExampleDoes()
    {
        byte[] data = "Hello"u8.ToArray();

        int next = PayloadMask.Apply(data, 0x37fa213d, 0);

        Assert.Equal("7f9f4d5158", Hex.Format(data));
        Assert.Equal(1, next);
    }

    [Fact]
    public void CopyingOverloadLeavesTheSourceAlone()
    {
        byte[] source = "Hello"u8.ToArray();
        var destination = new byte[8];

        PayloadMask.Apply(source, destination, 0x37fa213d, 0);

        Assert.Equal("Hello"u8.ToArray(), source);
        Assert.Equal("7f9f4d5158000000", Hex.Format(destination));
    }

    [Fact]
    public void KeyOffsetStartsAtTheGivenKeyByte()
    {
        byte[] data = new byte[6];

        int next = PayloadMask.Apply(data, 0x11223344, 2);

        Assert.Equal("334411223344", Hex.Format(data));
        Assert.Equal(0, next);
    }

    [Fact]
    public void ShortDestinationIsRejected() =>
        Assert.Throws<ArgumentException>(() => PayloadMask.Apply(new byte[5], new byte[4], 1, 0));

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void KeyOffsetOutsideZeroToThreeIsRejected(int offset) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PayloadMask.Apply(new byte[5], 1, offset));

    [Fact]
    public void NewKeysAreNotAllTheSame()
    {
        var keys = Enumerable.Range(0, 16).Select(_ => PayloadMask.NewKey()).ToHashSet();

        Assert.True(keys.Count > 1);
    }

    [Fact]
    public void VectorizedMaskEqualsTheScalarReferenceAtEveryLengthAndOffset()
    {
        var random = new Random(6455);
        for (int length = 0; length <= 200; length++)
        {
            for (int offset = 0; offset < 4; offset++)
            {
                byte[] data = new byte[length];
                random.NextBytes(data);
                byte[] expected = (byte[])data.Clone();
                uint key = (uint)random.NextInt64(0, uint.MaxValue + 1L);

                int expectedNext = ScalarMask.Apply(expected, key, offset);
                int next = PayloadMask.Apply(data, key, offset);

                Assert.Equal(expected, data);
                Assert.Equal(expectedNext, next);
            }
        }
    }

    [Fact]
    public void VectorizedMaskEqualsTheScalarReference() =>
        Inputs.Sample((data, key, offset) =>
        {
            byte[] expected = (byte[])data.Clone();
            ScalarMask.Apply(expected, key, offset);
            var actual = new byte[data.Length];
            PayloadMask.Apply(data, actual, key, offset);
            return expected.AsSpan().SequenceEqual(actual);
        });

    [Fact]
    public void MaskingTwiceIsIdentity() =>
        Inputs.Sample((data, key, offset) =>
        {
            byte[] copy = (byte[])data.Clone();
            PayloadMask.Apply(copy, key, offset);
            PayloadMask.Apply(copy, key, offset);
            return data.AsSpan().SequenceEqual(copy);
        });

    [Fact]
    public void MaskingInChunksEqualsMaskingAtOnce() =>
        Gen.Select(Gen.Byte.Array[0, 300], Gen.UInt, Gen.Int[0, 300]).Sample((data, key, cut) =>
        {
            cut = Math.Min(cut, data.Length);
            byte[] whole = (byte[])data.Clone();
            PayloadMask.Apply(whole, key, 0);
            byte[] chunked = (byte[])data.Clone();
            int next = PayloadMask.Apply(chunked.AsSpan(0, cut), key, 0);
            PayloadMask.Apply(chunked.AsSpan(cut), key, next);
            return whole.AsSpan().SequenceEqual(chunked);
        });
}
