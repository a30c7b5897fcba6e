using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Upgrade;

/// <summary>Request-smuggling shapes (RFC 9112 §3.2, §5.1, §5.2, §6; RFC 9110 §5.1; RFC 6455 §4.1) sent by a
/// raw client over loopback: the peer sees exactly a 400 with the reason, then the end of the connection;
/// never a 101, and no handler state is created (a smuggled body is never read as frames).</summary>
public sealed class RequestSmugglingTests
{
    private const string Key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    // A masked text frame "Hi": echoed if the body were read as frames after a 101.
    private const string MaskedHi = "\x81\x82\x37\xfa\x21\x3d\x7f\x93";

    private static string Head(string fields) =>
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + Key + fields + "\r\n";

    [Fact]
    public Task TwoHostFieldsGet400() =>
        AssertRefusedAsync(Head("Host: a.example\r\nHost: b.example\r\n"), "more than one Host header");

    [Fact]
    public Task ObsoleteLineFoldingGets400() =>
        AssertRefusedAsync(Head("Host: h\r\nX-A: a\r\n b\r\n"), "obsolete line folding (a line starting with whitespace) is not allowed");

    [Fact]
    public Task AFieldNameThatIsNotATokenGets400() =>
        AssertRefusedAsync(Head("Host: h\r\nX(A: a\r\n"), "a header name holds a character not allowed in a token");

    [Fact]
    public Task WhitespaceBeforeTheColonGets400() =>
        AssertRefusedAsync(Head("Host : h\r\n"), "whitespace between a header name and its colon");

    [Fact]
    public Task AContentLengthWithABodyGets400AndTheBodyIsNotReadAsFrames() =>
        AssertRefusedAsync(Head("Host: h\r\nContent-Length: 8\r\n") + MaskedHi,
            "an upgrade request has no body: Content-Length is not allowed");

    [Fact]
    public Task AChunkedBodyGets400AndTheBodyIsNotReadAsFrames() =>
        AssertRefusedAsync(Head("Host: h\r\nTransfer-Encoding: chunked\r\n") + "8\r\n" + MaskedHi + "\r\n0\r\n\r\n",
            "an upgrade request has no body: Transfer-Encoding is not allowed");

    private static async Task AssertRefusedAsync(string request, string reason)
    {
        var handler = new CountingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);

        HttpAnswer answer = await HttpExchange.SendLatin1Async(server.Port, request);

        // The answer is read to the end of the connection: this head and body are all the peer got.
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer.Head + "\r\n", StringComparison.Ordinal);
        Assert.Equal(400, answer.Status);
        Assert.Equal(reason, answer.Body);
        Assert.DoesNotContain(" 101 ", answer.Head, StringComparison.Ordinal);
        Assert.Equal(0, handler.Inits);
        Assert.Equal(0, server.Server.ConnectionCount);
    }
}
