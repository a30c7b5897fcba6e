using System.Text;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Closing;

/// <summary>RFC 6455 §5.5.1 Close and §7.4 Status Codes.</summary>
public class ClosePayloadTests
{
    [Theory]
    [InlineData(1000, true)]
    [InlineData(1003, true)]
    [InlineData(1007, true)]
    [InlineData(1014, true)]
    [InlineData(3000, true)]
    [InlineData(4999, true)]
    [InlineData(0, false)]
    [InlineData(999, false)]
    [InlineData(1004, false)]
    [InlineData(1005, false)]
    [InlineData(1006, false)]
    [InlineData(1015, false)]
    [InlineData(1016, false)]
    [InlineData(2999, false)]
    [InlineData(5000, false)]
    [InlineData(65535, false)]
    public void SendableCodesAreTheRegisteredOnesAndTheApplicationRanges(int code, bool sendable) =>
        Assert.Equal(sendable, ClosePayload.IsSendable((ushort)code));

    [Fact]
    public void WritesCodeInNetworkOrderThenTheReason()
    {
        var buffer = new byte[125];

        int written = ClosePayload.Write(buffer, CloseCode.GoingAway, "bye");

        Assert.Equal("03e9627965", Hex.Format(buffer.AsSpan(0, written)));
    }

    [Fact]
    public void LongReasonIsTruncatedTo123Bytes()
    {
        var buffer = new byte[200];

        int written = ClosePayload.Write(buffer, CloseCode.NormalClosure, new string('a', 300));

        Assert.Equal(125, written);
    }

    [Theory]
    [InlineData("é", 122)]
    [InlineData("€", 123)]
    [InlineData("😀", 120)]
    public void TruncationNeverCutsACharacter(string character, int expectedReasonBytes)
    {
        var buffer = new byte[125];
        string reason = new string('a', 120) + string.Concat(Enumerable.Repeat(character, 3));

        int written = ClosePayload.Write(buffer, CloseCode.NormalClosure, reason);

        Assert.Equal(2 + expectedReasonBytes, written);
        Assert.True(ClosePayload.TryParse(buffer.AsSpan(0, written), out _, out string parsed, out _));
        Assert.StartsWith(parsed, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsendableCodeIsNotWritten() =>
        Assert.Throws<ArgumentException>(() => ClosePayload.Write(new byte[125], CloseCode.NoStatusReceived, ""));

    [Fact]
    public void EmptyPayloadHasNoCode()
    {
        Assert.True(ClosePayload.TryParse([], out CloseCode? code, out string reason, out _));
        Assert.Null(code);
        Assert.Equal("", reason);
    }

    [Fact]
    public void ParsesCodeAndReason()
    {
        byte[] payload = [0x0f, 0xa0, .. Encoding.UTF8.GetBytes("κόσμε")];

        Assert.True(ClosePayload.TryParse(payload, out CloseCode? code, out string reason, out _));
        Assert.Equal((CloseCode)4000, code);
        Assert.Equal("κόσμε", reason);
    }

    [Fact]
    public void OneBytePayloadFailsWithProtocolError()
    {
        Assert.False(ClosePayload.TryParse([0x03], out _, out _, out ProtocolViolation violation));
        Assert.Equal(CloseCode.ProtocolError, violation.Code);
    }

    [Theory]
    [InlineData("0000")]
    [InlineData("03e7")]
    [InlineData("03ec")]
    [InlineData("03ed")]
    [InlineData("03ee")]
    [InlineData("03f7")]
    [InlineData("0bb7")]
    [InlineData("1388")]
    [InlineData("ffff")]
    public void UnsendableCodeFailsWithProtocolError(string hex)
    {
        Assert.False(ClosePayload.TryParse(Hex.Parse(hex), out _, out _, out ProtocolViolation violation));
        Assert.Equal(CloseCode.ProtocolError, violation.Code);
    }

    [Fact]
    public void InvalidUtf8ReasonFailsWithInvalidPayloadData()
    {
        Assert.False(ClosePayload.TryParse(Hex.Parse("03e8 ce ba ed a0 80"), out _, out _, out ProtocolViolation violation));
        Assert.Equal(CloseCode.InvalidPayloadData, violation.Code);
    }
}
