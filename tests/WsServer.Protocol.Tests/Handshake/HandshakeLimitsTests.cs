using System.Buffers;
using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 6585 §5 (431 Request Header Fields Too Large) and RFC 9110 §15.5.15 (414 URI Too Long):
/// the parser's bounds, enforced before and after the blank line arrives.</summary>
public class HandshakeLimitsTests
{
    private static readonly HandshakeLimits Small = new() { MaxHeaderBytes = 100, MaxHeaderCount = 3, MaxLineLength = 40 };

    [Fact]
    public void AHeadOfExactlyMaxHeaderBytesParses()
    {
        string head = "GET / HTTP/1.1\r\nX-A: " + new string('a', 100 - 16 - 5 - 4) + "\r\n\r\n";
        Assert.Equal(100, head.Length);
        ParseEverySplit(head, limits: Small with { MaxLineLength = 100 });
    }

    [Fact]
    public void AHeadOverMaxHeaderBytesIs431()
    {
        string head = "GET / HTTP/1.1\r\nX-A: " + new string('a', 100 - 16 - 5 - 4 + 1) + "\r\n\r\n";
        Assert.Equal(431, RejectEverySplit(head, Small with { MaxLineLength = 100 }).StatusCode);
    }

    [Fact]
    public void AnUnfinishedHeadOverMaxHeaderBytesIs431WithoutWaitingForTheBlankLine()
    {
        string head = "GET / HTTP/1.1\r\nX-A: a\r\nX-B: b\r\n" + string.Concat(Enumerable.Repeat("X-C: 123456789\r\n", 5));
        Assert.True(head.Length > 100);
        HandshakeRejection rejection = RejectEverySplit(head, Small with { MaxHeaderCount = 100 });
        Assert.Equal(431, rejection.StatusCode);
        Assert.Contains("100 bytes", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEndlessStreamWithoutLineFeedsIsRefusedAfterMaxLineLength()
    {
        HandshakeRejection rejection = RejectEverySplit("GET /" + new string('a', 60), Small);
        Assert.Equal(414, rejection.StatusCode);
    }

    // Found by the handshake fuzz target: read whole, the bare LF was refused first (400); read in
    // pieces, the unfinished line was already over the limit (414).
    [Fact]
    public void AnOverlongLineEndingInABareLineFeedIs414WhetherItsEndHasArrivedOrNot()
    {
        string line = "GET /" + new string('a', 60);
        Assert.Equal(414, RejectEverySplit(line, Small).StatusCode);
        Assert.Equal(414, RejectEverySplit(line + "\n", Small).StatusCode);
        Assert.Equal(414, RejectEverySplit(line + " HTTP/1.1\n\r\n", Small).StatusCode);
    }

    [Fact]
    public void MoreThanMaxHeaderCountFieldsIs431()
    {
        HandshakeRejection rejection = RejectEverySplit("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", Small);
        Assert.Equal(431, rejection.StatusCode);
        Assert.Contains("header fields", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ExactlyMaxHeaderCountFieldsParse() =>
        Assert.Equal(3, ParseEverySplit("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: Small).Headers.Count);

    [Fact]
    public void AHeaderLineOverMaxLineLengthIs431()
    {
        HandshakeRejection rejection = RejectEverySplit("GET / HTTP/1.1\r\nX-A: " + new string('a', 36) + "\r\n\r\n", Small);
        Assert.Equal(431, rejection.StatusCode);
        Assert.Contains("header line", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AHeaderLineOfExactlyMaxLineLengthParses() =>
        ParseEverySplit("GET / HTTP/1.1\r\nX-A: " + new string('a', 35) + "\r\n\r\n", limits: Small);

    [Fact]
    public void ARequestLineOverMaxLineLengthIs414()
    {
        HandshakeRejection rejection = RejectEverySplit("GET /" + new string('a', 30) + " HTTP/1.1\r\n\r\n", Small);
        Assert.Equal(414, rejection.StatusCode);
    }

    [Fact]
    public void TheLimitDoesNotCountBytesAfterTheBlankLine() =>
        ParseEverySplit("GET / HTTP/1.1\r\n\r\n", trailing: new string('x', 500), limits: Small);

    [Fact]
    public void ALargeBufferIsNotScannedPastTheLimit()
    {
        // A megabyte without a line feed is refused from its first MaxHeaderBytes + 1 bytes.
        var input = new ReadOnlySequence<byte>(new byte[1 << 20]);
        OperationStatus status = UpgradeRequestParser.TryParse(ref input, HandshakeLimits.Default, out _, out HandshakeRejection? rejection);
        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(414, rejection!.StatusCode);
        Assert.Equal(1 << 20, input.Length);
    }

    [Fact]
    public void TheDefaultsAreThoseDocumented()
    {
        Assert.Equal(8192, HandshakeLimits.Default.MaxHeaderBytes);
        Assert.Equal(100, HandshakeLimits.Default.MaxHeaderCount);
        Assert.Equal(4096, HandshakeLimits.Default.MaxLineLength);
    }
}
