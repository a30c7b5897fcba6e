using System.Buffers;
using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 6455 §4.2.2 (sending the server's opening handshake) and §4.4; RFC 9112 §4 status lines:
/// the exact bytes of the 101 answer and of refusals.</summary>
public class ServerHandshakeWriteTests
{
    private static readonly UpgradeRequest Sample = ParseEverySplit(SampleRequest);

    [Fact]
    public void TheSampleAnswerIsByteExact()
    {
        string written = Written(output => ServerHandshake.WriteAccept(output, Sample, new HandshakeAccept { Subprotocol = "chat" }));
        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
            "Sec-WebSocket-Protocol: chat\r\n" +
            "\r\n",
            written);
    }

    [Fact]
    public void APlainAcceptHasOnlyTheRequiredFields() =>
        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
            Written(output => ServerHandshake.WriteAccept(output, Sample, HandshakeAccept.Plain)));

    [Fact]
    public void ExtensionsAndExtraHeadersFollowTheSubprotocol() =>
        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
            "Sec-WebSocket-Protocol: superchat\r\n" +
            "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n" +
            "Set-Cookie: id=1\r\nX-Server: ws\r\n\r\n",
            Written(output => ServerHandshake.WriteAccept(output, Sample, new HandshakeAccept
            {
                Subprotocol = "superchat",
                Extensions = "permessage-deflate; server_no_context_takeover",
                Headers = [new("Set-Cookie", "id=1"), new("X-Server", "ws")],
            })));

    [Theory]
    [InlineData("X-Evil", "a\r\nSet-Cookie: x=1")]
    [InlineData("X-Evil", "a\nb")]
    [InlineData("X-Evil", "a\0")]
    [InlineData("X-Evil\r\nSet-Cookie", "x")]
    [InlineData("X Evil", "x")]
    [InlineData("", "x")]
    [InlineData("X-Wide", "\u4e2d")]
    [InlineData("Sec-WebSocket-Accept", "x")]
    [InlineData("connection", "close")]
    public void AHeaderThatWouldCorruptTheAnswerIsRefusedAndNothingIsWritten(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() =>
            ServerHandshake.WriteAccept(output, Sample, new HandshakeAccept { Headers = [new(name, value)] }));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void ExtensionsWithALineBreakAreRefused() =>
        Assert.Throws<ArgumentException>(() => ServerHandshake.WriteAccept(new ArrayBufferWriter<byte>(), Sample,
            new HandshakeAccept { Extensions = "x\r\nSet-Cookie: a=b" }));

    [Fact]
    public void ASubprotocolTheClientDidNotOfferIsRefused() =>
        Assert.Throws<ArgumentException>(() => ServerHandshake.WriteAccept(new ArrayBufferWriter<byte>(), Sample,
            new HandshakeAccept { Subprotocol = "Chat" }));

    [Fact]
    public void AcceptingARequestWithoutAValidKeyIsAnInvalidOperation() =>
        Assert.Throws<InvalidOperationException>(() => ServerHandshake.WriteAccept(new ArrayBufferWriter<byte>(),
            ParseEverySplit("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), HandshakeAccept.Plain));

    [Fact]
    public void A400CarriesItsReasonAsAPlainTextBody() =>
        Assert.Equal(
            "HTTP/1.1 400 Bad Request\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 17\r\n" +
            "Connection: close\r\n" +
            "\r\n" +
            "missing Host, sir",
            Written(output => ServerHandshake.WriteRejection(output, HandshakeRejection.BadRequest("missing Host, sir"))));

    [Fact]
    public void APageIsA200WithItsTypeAndLength() =>
        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" +
            "Content-Type: text/html; charset=utf-8\r\n" +
            "Content-Length: 5\r\n" +
            "Cache-Control: no-cache\r\n" +
            "Connection: close\r\n" +
            "\r\n" +
            "<p/>\n",
            Written(output => ServerHandshake.WritePage(output, "text/html; charset=utf-8", "<p/>\n"u8)));

    [Fact]
    public void APageTypeWithALineBreakIsRefused() =>
        Assert.Throws<ArgumentException>(() =>
            Written(output => ServerHandshake.WritePage(output, "text/html\r\nX-Injected: 1", "x"u8)));

    [Fact]
    public void A405CarriesAllowGet() =>
        Assert.StartsWith(
            "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET\r\nContent-Type: text/plain; charset=utf-8\r\n",
            Written(output => ServerHandshake.WriteRejection(output, HandshakeRejection.MethodNotAllowed())));

    [Fact]
    public void A426ForAPlainGetMergesConnectionUpgradeWithClose()
    {
        HandshakeRejection rejection = HandshakeRejection.UpgradeRequired();
        int length = System.Text.Encoding.UTF8.GetByteCount(rejection.Reason);
        Assert.Equal(
            "HTTP/1.1 426 Upgrade Required\r\n" +
            "Upgrade: websocket\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            $"Content-Length: {length}\r\n" +
            "Connection: Upgrade, close\r\n" +
            "\r\n" + rejection.Reason,
            Written(output => ServerHandshake.WriteRejection(output, rejection)));
    }

    [Fact]
    public void A426ForAnotherVersionCarriesVersion13() =>
        Assert.StartsWith(
            "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Type:",
            Written(output => ServerHandshake.WriteRejection(output, HandshakeRejection.UnsupportedVersion())));

    [Fact]
    public void ABodyOverridesTheReasonAndIsCountedInUtf8Bytes() =>
        Assert.EndsWith(
            "Content-Length: 9\r\nConnection: close\r\n\r\nd\u00c3\u00a9j\u00c3\u00a0 vu",
            Written(output => ServerHandshake.WriteRejection(output, HandshakeRejection.Forbidden("origin") with { Body = "d\u00e9j\u00e0 vu" })));

    [Theory]
    [InlineData(400, "Bad Request")]
    [InlineData(403, "Forbidden")]
    [InlineData(404, "Not Found")]
    [InlineData(405, "Method Not Allowed")]
    [InlineData(408, "Request Timeout")]
    [InlineData(414, "URI Too Long")]
    [InlineData(426, "Upgrade Required")]
    [InlineData(431, "Request Header Fields Too Large")]
    [InlineData(500, "Internal Server Error")]
    [InlineData(503, "Service Unavailable")]
    [InlineData(505, "HTTP Version Not Supported")]
    [InlineData(418, "Error")]
    public void TheStatusLineHasTheStandardReasonPhrase(int status, string phrase) =>
        Assert.StartsWith($"HTTP/1.1 {status} {phrase}\r\n",
            Written(output => ServerHandshake.WriteRejection(output, new HandshakeRejection(status, "r"))));

    [Theory]
    [InlineData(101)]
    [InlineData(200)]
    [InlineData(600)]
    public void ARejectionStatusOutside300To599IsRefused(int status) =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ServerHandshake.WriteRejection(new ArrayBufferWriter<byte>(), new HandshakeRejection(status, "r")));

    [Theory]
    [InlineData("Content-Length", "5")]
    [InlineData("X-Evil", "a\r\n\r\nHTTP/1.1 200 OK")]
    public void ARejectionHeaderThatWouldCorruptTheAnswerIsRefused(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => ServerHandshake.WriteRejection(output,
            HandshakeRejection.NotFound() with { Headers = [new(name, value)] }));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void AConnectionCloseOfTheRejectionIsNotRepeated() =>
        Assert.Contains("\r\nConnection: close\r\n\r\n",
            Written(output => ServerHandshake.WriteRejection(output, HandshakeRejection.NotFound() with { Headers = [new("Connection", "close")] })),
            StringComparison.Ordinal);
}
