using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 9112 §2.2, §3 and §5: malformed request heads are refused with 400 (505 for another HTTP
/// major version), over every split, consuming nothing.</summary>
public class RequestHeadSyntaxTests
{
    [Theory]
    [InlineData("GET /\r\n\r\n")]
    [InlineData("GET\r\n\r\n")]
    [InlineData("GET  / HTTP/1.1\r\n\r\n")]
    [InlineData("GET /  HTTP/1.1\r\n\r\n")]
    [InlineData(" GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\n\r\n")]
    [InlineData("G(T / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / http/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.10\r\n\r\n")]
    [InlineData("GET / HTTP/1\r\n\r\n")]
    [InlineData("GET / HTTP/x.1\r\n\r\n")]
    public void AMalformedRequestLineIs400(string head) => AssertBadRequest(head);

    [Theory]
    [InlineData("GET chat HTTP/1.1\r\n\r\n")]
    [InlineData("GET * HTTP/1.1\r\n\r\n")]
    [InlineData("GET example.com:80 HTTP/1.1\r\n\r\n")]
    [InlineData("GET ftp://example.com/ HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a#frag HTTP/1.1\r\n\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\n\r\n")]
    [InlineData("GET /a\u0001 HTTP/1.1\r\n\r\n")]
    public void ATargetThatIsNotAPathOrAnAbsoluteHttpUriIs400(string head) => AssertBadRequest(head);

    [Theory]
    [InlineData("GET / HTTP/2.0\r\n\r\n")]
    [InlineData("GET / HTTP/0.9\r\n\r\n")]
    public void AnotherHttpMajorVersionIs505(string head) => Assert.Equal(505, RejectEverySplit(head).StatusCode);

    [Fact]
    public void AHeaderWithoutAColonIs400() => AssertBadRequest("GET / HTTP/1.1\r\nHost h\r\n\r\n");

    [Fact]
    public void AnEmptyHeaderNameIs400() => AssertBadRequest("GET / HTTP/1.1\r\n: h\r\n\r\n");

    [Theory]
    [InlineData("Host : h")]
    [InlineData("Host\t: h")]
    public void WhitespaceBetweenANameAndItsColonIs400(string field)
    {
        HandshakeRejection rejection = AssertBadRequest($"GET / HTTP/1.1\r\n{field}\r\n\r\n");
        Assert.Contains("colon", rejection.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n Host: h\r\n\r\n")]
    public void ObsoleteLineFoldingIs400(string head)
    {
        HandshakeRejection rejection = AssertBadRequest(head);
        Assert.Contains("folding", rejection.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X(A: a")]
    [InlineData("X A: a")]
    [InlineData("X\u00e9: a")]
    [InlineData("X\"A: a")]
    public void ANameWithACharacterOutsideTokenIs400(string field) => AssertBadRequest($"GET / HTTP/1.1\r\n{field}\r\n\r\n");

    [Theory]
    [InlineData("X-A: a\u0000b")]
    [InlineData("X-A: a\rb")]
    [InlineData("X-A: a\u007fb")]
    [InlineData("X-A: a\r")]
    public void AValueWithAControlCharacterIs400(string field) => AssertBadRequest($"GET / HTTP/1.1\r\n{field}\r\n\r\n");

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: h\n\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n\n")]
    public void ABareLineFeedIs400(string head)
    {
        HandshakeRejection rejection = AssertBadRequest(head);
        Assert.Contains("bare LF", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ABareLineFeedIsRefusedBeforeTheRestOfTheHeadArrives() => AssertBadRequest("GET / HTTP/1.1\nHost");

    [Fact]
    public void AnEmptyLineBeforeTheRequestLineIs400() => AssertBadRequest("\r\nGET / HTTP/1.1\r\n\r\n");

    private static HandshakeRejection AssertBadRequest(string head)
    {
        HandshakeRejection rejection = RejectEverySplit(head);
        Assert.Equal(400, rejection.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Reason));
        return rejection;
    }
}
