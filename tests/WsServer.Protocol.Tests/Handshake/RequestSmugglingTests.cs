using System.Buffers;
using System.Text;
using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 9112 §3.2, §5.1, §5.2 and §6, RFC 9110 §5.1 and §5.6.2, RFC 6455 §4.1: request heads that
/// two HTTP parsers could frame differently (request smuggling) are answered 400 with a short, specific
/// reason, never 101. Each test gives the exact bytes received and the exact bytes answered, over every
/// split of the request.</summary>
public class RequestSmugglingTests
{
    private const string Key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    // A masked text frame "Hi" (RFC 6455 §5.7 style): what a smuggled body would be read as after a 101.
    private const string MaskedHi = "\x81\x82\x37\xfa\x21\x3d\x7f\x93";

    [Fact]
    public void TwoHostFieldsAre400()
    {
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request
        // message that lacks a Host header field and to any request message that contains more than one
        // Host header field line".
        AssertAnswered400(
            "GET / HTTP/1.1\r\nHost: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Key + "Host: b.example\r\n\r\n",
            "more than one Host header");
    }

    [Fact]
    public void TwoHostFieldsDifferingOnlyInCaseAre400() =>
        AssertAnswered400(
            "GET / HTTP/1.1\r\nHost: a.example\r\nhOST: a.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Key + "\r\n",
            "more than one Host header");

    [Fact]
    public void ObsoleteLineFoldingIs400()
    {
        // RFC 9112 §5.2: "A server that receives an obs-fold in a request message ... MUST either reject the
        // message by sending a 400 (Bad Request) ... or replace each received obs-fold with one or more SP".
        AssertAnswered400(
            "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Key + "X-A: a\r\n b\r\n\r\n",
            "obsolete line folding (a line starting with whitespace) is not allowed");
    }

    [Theory]
    [InlineData("Ho(st: h")]
    [InlineData("Ho\u00e9st: h")]
    [InlineData("Ho\u0000st: h")]
    [InlineData("Ho/st: h")]
    public void AFieldNameWithACharacterThatIsNotATokenCharacterIs400(string field)
    {
        // RFC 9110 §5.1: field-name = token; §5.6.2: token = 1*tchar.
        AssertAnswered400(
            "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Key + field + "\r\n\r\n",
            "a header name holds a character not allowed in a token");
    }

    [Fact]
    public void AnEmptyFieldNameIs400() =>
        AssertAnswered400("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", "a header name is empty");

    [Theory]
    [InlineData("Host : h")]
    [InlineData("Host\t: h")]
    [InlineData("Transfer-Encoding : chunked")]
    public void WhitespaceBetweenAFieldNameAndItsColonIs400(string field)
    {
        // RFC 9112 §5.1: "A server MUST reject, with a response status code of 400 (Bad Request), any received
        // request message that contains whitespace between a header field name and colon."
        AssertAnswered400(
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Key + field + "\r\n\r\n",
            "whitespace between a header name and its colon");
    }

    [Theory]
    [InlineData("Content-Length: 8")]
    [InlineData("Content-Length: 0")]
    [InlineData("content-length: 8")]
    public void AContentLengthOnTheUpgradeIs400(string field)
    {
        // RFC 6455 §4.1: "The method of the request MUST be GET"; RFC 9110 §9.3.1: "content received in a GET
        // request has no generally defined semantics ... and might lead some implementations to reject the
        // request and close the connection because of its potential as a request smuggling attack".
        AssertAnswered400(Upgrade(field + "\r\n") + MaskedHi, "an upgrade request has no body: Content-Length is not allowed",
            trailing: MaskedHi);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked")]
    [InlineData("Transfer-Encoding: gzip, chunked")]
    [InlineData("TRANSFER-ENCODING: chunked")]
    public void ATransferEncodingOnTheUpgradeIs400(string field)
    {
        const string Body = "8\r\n" + MaskedHi + "\r\n0\r\n\r\n";
        AssertAnswered400(Upgrade(field + "\r\n") + Body, "an upgrade request has no body: Transfer-Encoding is not allowed",
            trailing: Body);
    }

    [Fact]
    public void ATransferEncodingWithAContentLengthIs400ForTheTransferEncoding()
    {
        // RFC 9112 §6.1: such a message "might indicate an attempt to perform request smuggling ... and ought to
        // be handled as an error".
        AssertAnswered400(Upgrade("Content-Length: 8\r\nTransfer-Encoding: chunked\r\n") + MaskedHi,
            "an upgrade request has no body: Transfer-Encoding is not allowed", trailing: MaskedHi);
    }

    /// <summary>Parses <paramref name="request"/> over every split, validates what parsed, and asserts the
    /// written answer is exactly a 400 whose body is <paramref name="reason"/>.</summary>
    private static void AssertAnswered400(string request, string reason, string trailing = "")
    {
        HandshakeRejection rejection = Answer(request, trailing);
        Assert.Equal(400, rejection.StatusCode);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(reason)}\r\nConnection: close\r\n\r\n{reason}",
            Written(output => ServerHandshake.WriteRejection(output, rejection)));
    }

    private static HandshakeRejection Answer(string request, string trailing)
    {
        ReadOnlySequence<byte> input = new(Bytes(request));
        OperationStatus status = UpgradeRequestParser.TryParse(ref input, HandshakeLimits.Default, out _, out HandshakeRejection? refused);
        if (status == OperationStatus.InvalidData)
        {
            Assert.Equal(refused, RejectEverySplit(request));
            return refused!;
        }
        Assert.Equal(OperationStatus.Done, status);
        UpgradeRequest parsed = ParseEverySplit(request[..^trailing.Length], trailing);
        HandshakeRejection? rejection = ServerHandshake.Validate(parsed);
        Assert.NotNull(rejection);
        return rejection;
    }
}
