using System.Text;
using CsCheck;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Messages;

/// <summary>RFC 6455 §8.1 Handling Errors in UTF-8-Encoded Data, with RFC 3629 §4 syntax and
/// Markus Kuhn's decoder stress cases.</summary>
public class Utf8ValidatorTests
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool StrictDecoderAccepts(byte[] bytes)
    {
        try
        {
            Strict.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool Validate(params byte[][] chunks)
    {
        var validator = new Utf8Validator();
        foreach (byte[] chunk in chunks)
        {
            if (!validator.TryAppend(chunk))
                return false;
        }

        return validator.TryComplete();
    }

    public static TheoryData<string, bool> KuhnCases => new()
    {
        { "", true },
        { "48 65 6c 6c 6f", true },
        { "ce ba e1 bd b9 cf 83 ce bc ce b5", true },
        { "c2 80", true },
        { "df bf", true },
        { "e0 a0 80", true },
        { "ef bf bf", true },
        { "f0 90 80 80", true },
        { "f4 8f bf bf", true },
        { "ee 80 80", true },
        { "ef bb bf", true },
        { "80", false },
        { "bf", false },
        { "c0 af", false },
        { "c1 bf", false },
        { "e0 80 af", false },
        { "e0 9f bf", false },
        { "f0 80 80 af", false },
        { "f0 8f bf bf", false },
        { "ed a0 80", false },
        { "ed bf bf", false },
        { "ed a0 80 ed b0 80", false },
        { "f4 90 80 80", false },
        { "f5 80 80 80", false },
        { "f8 88 80 80 80", false },
        { "fe", false },
        { "ff", false },
        { "e2 82", false },
        { "f0 9f 98", false },
        { "c2", false },
        { "c2 41", false },
        { "e2 28 a1", false },
    };

    [Theory]
    [MemberData(nameof(KuhnCases))]
    public void AgreesWithTheStrictDecoderOnKuhnCases(string hex, bool valid)
    {
        byte[] bytes = Hex.Parse(hex);
        Assert.Equal(valid, StrictDecoderAccepts(bytes));

        Assert.Equal(valid, Validate(bytes));
        for (int split = 1; split < bytes.Length; split++)
            Assert.Equal(valid, Validate(bytes[..split], bytes[split..]));
        Assert.Equal(valid, Validate(bytes.Select(b => new[] { b }).ToArray()));
    }

    [Fact]
    public void FourByteCharacterSplitAtEveryByteIsValid()
    {
        byte[] grin = Hex.Parse("f0 9f 98 80");
        for (int a = 0; a <= 4; a++)
        {
            for (int b = a; b <= 4; b++)
                Assert.True(Validate(grin[..a], grin[a..b], grin[b..]), $"split at {a} and {b}");
        }
    }

    [Fact]
    public void TruncatedSequenceIsValidUntilTheTextIsComplete()
    {
        var validator = new Utf8Validator();

        Assert.True(validator.TryAppend(Hex.Parse("41 e2 82")));
        Assert.False(validator.IsAtCharacterBoundary);
        Assert.False(validator.TryComplete());
        Assert.True(validator.IsInvalid);
    }

    [Theory]
    [InlineData("f4 90")]
    [InlineData("e0 80")]
    [InlineData("ed a0")]
    [InlineData("c0")]
    public void ImpossiblePrefixFailsWithoutWaitingForTheRest(string hex)
    {
        var validator = new Utf8Validator();

        Assert.False(validator.TryAppend(Hex.Parse("41 42 " + hex)));
    }

    [Fact]
    public void FailureIsStickyUntilReset()
    {
        var validator = new Utf8Validator();
        Assert.False(validator.TryAppend([0xff]));

        Assert.False(validator.TryAppend("fine"u8));
        validator.Reset();
        Assert.True(validator.TryAppend("fine"u8));
        Assert.True(validator.TryComplete());
    }

    /// <summary>Mostly valid text (ASCII, 2-, 3- and 4-byte characters) with now and then a byte that
    /// may break it, so the interesting cases (near-misses) are common.</summary>
    private static readonly Gen<byte[]> NearlyUtf8 =
        Gen.Frequency(
                (6, Gen.Char.Select(c => Encoding.UTF8.GetBytes(char.IsSurrogate(c) ? "x" : c.ToString()))),
                (2, Gen.Int[0x10000, 0x10FFFF].Select(cp => Encoding.UTF8.GetBytes(char.ConvertFromUtf32(cp)))),
                (1, Gen.Byte.Array[1, 2]),
                (1, Gen.OneOfConst<byte>(0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff).Array[1, 3]))
            .Array[0, 40]
            .Select(parts => parts.SelectMany(p => p).ToArray());

    [Fact]
    public void AgreesWithTheStrictDecoderOnRandomTextSplitAtRandomPoints() =>
        Gen.Select(NearlyUtf8, Gen.Int[0, 200], Gen.Int[0, 200]).Sample((bytes, x, y) =>
        {
            int a = Math.Min(x, y) % (bytes.Length + 1);
            int b = Math.Max(a, Math.Max(x, y) % (bytes.Length + 1));
            return Validate(bytes[..a], bytes[a..b], bytes[b..]) == StrictDecoderAccepts(bytes);
        }, iter: 5000);
}
