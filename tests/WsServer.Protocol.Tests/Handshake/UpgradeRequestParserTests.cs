using System.Buffers;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Tests.TestSupport;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 9112 §2-5 request heads, read incrementally; RFC 6455 §1.2 the sample handshake.</summary>
public class UpgradeRequestParserTests
{
    [Fact]
    public void TheSampleRequestParsesOverEverySplit()
    {
        UpgradeRequest request = ParseEverySplit(SampleRequest);

        Assert.Equal("GET", request.Method);
        Assert.Equal("/chat", request.Target);
        Assert.Equal("/chat", request.Path);
        Assert.Equal("", request.Query);
        Assert.Equal(new Version(1, 1), request.HttpVersion);
        Assert.Equal(7, request.Headers.Count);
        Assert.Equal("server.example.com", request.Host);
        Assert.Equal("http://example.com", request.Origin);
        Assert.Equal(["chat", "superchat"], request.Subprotocols);
        Assert.Equal(new KeyValuePair<string, string>("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), request.Headers[3]);
    }

    [Fact]
    public void BytesAfterTheBlankLineStayInTheInput() =>
        ParseEverySplit(SampleRequest, trailing: "\u0081\u0085\u0037\u00fa\u0021\u003dHello");

    [Fact]
    public void EveryIncompletePrefixNeedsMoreDataAndConsumesNothing()
    {
        byte[] bytes = Bytes(SampleRequest);
        for (int length = 0; length < bytes.Length; length++)
        {
            foreach (ReadOnlySequence<byte> split in SegmentedSequence.AllSplits(bytes[..length]))
            {
                ReadOnlySequence<byte> input = split;
                OperationStatus status = UpgradeRequestParser.TryParse(ref input, HandshakeLimits.Default,
                    out UpgradeRequest? request, out HandshakeRejection? rejection);
                Assert.Equal(OperationStatus.NeedMoreData, status);
                Assert.Null(request);
                Assert.Null(rejection);
                Assert.Equal(split.Length, input.Length);
            }
        }
    }

    [Fact]
    public void TheQueryIsSplitFromThePath()
    {
        UpgradeRequest request = ParseEverySplit("GET /chat/room%201?user=ann&x= HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal("/chat/room%201?user=ann&x=", request.Target);
        Assert.Equal("/chat/room%201", request.Path);
        Assert.Equal("user=ann&x=", request.Query);
    }

    [Theory]
    [InlineData("http://example.com/chat?room=1", "/chat", "room=1")]
    [InlineData("HTTPS://example.com:8443/a/b", "/a/b", "")]
    [InlineData("http://example.com", "/", "")]
    [InlineData("http://example.com?x=/y", "/", "x=/y")]
    public void AnAbsoluteHttpUriGivesItsPathAndQuery(string target, string path, string query)
    {
        UpgradeRequest request = ParseEverySplit($"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(target, request.Target);
        Assert.Equal(path, request.Path);
        Assert.Equal(query, request.Query);
    }

    [Fact]
    public void HeaderValuesAreTrimmedOfOptionalWhitespaceButKeepInnerSpaces()
    {
        UpgradeRequest request = ParseEverySplit("GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a  b \t\r\nX-Empty:\r\nX-Blank:   \r\n\r\n");
        Assert.Equal("h", request.Host);
        Assert.Equal("a  b", request.Headers["x-a"]);
        Assert.Equal("", request.Headers["X-Empty"]);
        Assert.Equal("", request.Headers["X-Blank"]);
    }

    [Fact]
    public void TheHeadIsDecodedAsLatin1()
    {
        UpgradeRequest request = ParseEverySplit("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\u00e9 \u00ff\r\n\r\n");
        Assert.Equal("caf\u00e9 \u00ff", request.Headers["X-Name"]);
    }

    [Fact]
    public void HeaderNamesKeepTheirCaseAsSent()
    {
        UpgradeRequest request = ParseEverySplit("GET / HTTP/1.1\r\nhOsT: h\r\nsec-websocket-key: k\r\n\r\n");
        Assert.Equal("hOsT", request.Headers[0].Key);
        Assert.Equal("sec-websocket-key", request.Headers[1].Key);
        Assert.Equal("h", request.Host);
    }

    [Fact]
    public void Http10ParsesSoValidationCanAnswerIt() =>
        Assert.Equal(new Version(1, 0), ParseEverySplit("GET / HTTP/1.0\r\n\r\n").HttpVersion);

    [Fact]
    public void ARequestWithoutHeadersParses() =>
        Assert.Empty(ParseEverySplit("GET / HTTP/1.1\r\n\r\n").Headers);

    [Fact]
    public void OtherMethodsParseSoValidationCanAnswer405() =>
        Assert.Equal("POST", ParseEverySplit("POST /x HTTP/1.1\r\nHost: h\r\n\r\n").Method);
}
