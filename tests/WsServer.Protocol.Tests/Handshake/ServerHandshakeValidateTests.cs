using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 6455 §4.2.1 (reading the client's opening handshake) and §4.4 (unsupported versions): one
/// test per rule, with the status and the headers the answer must carry.</summary>
public class ServerHandshakeValidateTests
{
    private static HandshakeRejection? Validate(string head) => ServerHandshake.Validate(ParseEverySplit(head));

    private static string Without(string name) =>
        string.Concat(Upgrade().Split("\r\n").Where(line => !line.StartsWith(name + ":", StringComparison.Ordinal))
            .Select(line => line + "\r\n"))[..^2];

    [Fact]
    public void TheSampleRequestIsAValidUpgrade() => Assert.Null(Validate(SampleRequest));

    [Fact]
    public void AMinimalUpgradeIsValid() => Assert.Null(Validate(Upgrade()));

    [Theory]
    [InlineData("POST")]
    [InlineData("get")]
    [InlineData("HEAD")]
    public void AnotherMethodIs405WithAllowGet(string method)
    {
        HandshakeRejection rejection = Validate(method + Upgrade()[3..])!;
        Assert.Equal(405, rejection.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("Allow", "GET"), rejection.Headers);
    }

    [Fact]
    public void Http10Is400()
    {
        HandshakeRejection rejection = Validate(Upgrade().Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal))!;
        Assert.Equal(400, rejection.StatusCode);
        Assert.Contains("HTTP/1.1", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Http19IsAccepted() => Assert.Null(Validate(Upgrade().Replace("HTTP/1.1", "HTTP/1.9", StringComparison.Ordinal)));

    [Theory]
    [InlineData("", "the request has no Host header")]
    [InlineData("Host:\r\n", "the Host header is empty")]
    public void AMissingOrEmptyHostIs400(string host, string reason)
    {
        HandshakeRejection rejection = Validate(Without("Host")[..^2] + host + "\r\n")!;
        Assert.Equal(400, rejection.StatusCode);
        Assert.Equal(reason, rejection.Reason);
    }

    [Fact]
    public void ARepeatedHostInARequestNotFromTheParserIs400()
    {
        // The parser refuses two Host fields itself (RequestSmugglingTests); a request built by hand is checked too.
        UpgradeRequest parsed = ParseEverySplit(Upgrade());
        var headers = new HttpHeaders();
        foreach (KeyValuePair<string, string> field in parsed.Headers) headers.Add(field.Key, field.Value);
        headers.Add("host", "other.example");
        var request = new UpgradeRequest
        {
            Method = "GET", Target = "/", Path = "/", Query = "", HttpVersion = new Version(1, 1), Headers = headers,
        };

        HandshakeRejection rejection = ServerHandshake.Validate(request)!;

        Assert.Equal(400, rejection.StatusCode);
        Assert.Equal("more than one Host header", rejection.Reason);
    }

    [Fact]
    public void APlainBrowserGetIs426WithUpgradeWebsocket()
    {
        HandshakeRejection rejection = Validate(
            "GET /chat HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nAccept: text/html\r\n\r\n")!;
        Assert.Equal(426, rejection.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("Upgrade", "websocket"), rejection.Headers);
        Assert.Contains(new KeyValuePair<string, string>("Sec-WebSocket-Version", "13"), rejection.Headers);
    }

    [Theory]
    [InlineData("Upgrade: h2c\r\n")]
    [InlineData("Upgrade: web socket\r\n")]
    public void AnUpgradeToSomethingElseIs400(string upgrade)
    {
        HandshakeRejection rejection = Validate(Without("Upgrade")[..^2] + upgrade + "\r\n")!;
        Assert.Equal(400, rejection.StatusCode);
        Assert.Contains("Upgrade", rejection.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upgrade: WebSocket\r\n")]
    [InlineData("Upgrade: h2c, websocket\r\n")]
    public void TheUpgradeTokenIsCaseInsensitiveAndMayBeInAList(string upgrade) =>
        Assert.Null(Validate(Without("Upgrade")[..^2] + upgrade + "\r\n"));

    [Theory]
    [InlineData("")]
    [InlineData("Connection: keep-alive\r\n")]
    public void AConnectionWithoutUpgradeIs400(string connection)
    {
        HandshakeRejection rejection = Validate(Without("Connection")[..^2] + connection + "\r\n")!;
        Assert.Equal(400, rejection.StatusCode);
        Assert.Contains("Connection", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AConnectionListWithUpgradeIsValid() =>
        Assert.Null(Validate(Without("Connection")[..^2] + "Connection: keep-alive, upgrade\r\n\r\n"));

    [Theory]
    [InlineData("")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZXM=\r\n")]
    [InlineData("Sec-WebSocket-Key: not base64 at all!!!!!==\r\n")]
    [InlineData("Sec-WebSocket-Key:\r\n")]
    public void AMissingRepeatedOrInvalidKeyIs400(string key)
    {
        HandshakeRejection rejection = Validate(Without("Sec-WebSocket-Key")[..^2] + key + "\r\n")!;
        Assert.Equal(400, rejection.StatusCode);
        Assert.Contains("Sec-WebSocket-Key", rejection.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Version: 8\r\n")]
    [InlineData("Sec-WebSocket-Version: 14\r\n")]
    [InlineData("Sec-WebSocket-Version: 13, 8\r\n")]
    [InlineData("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("")]
    public void AnotherOrMissingVersionIs426WithVersion13(string version)
    {
        HandshakeRejection rejection = Validate(Without("Sec-WebSocket-Version")[..^2] + version + "\r\n")!;
        Assert.Equal(426, rejection.StatusCode);
        Assert.Equal([new KeyValuePair<string, string>("Sec-WebSocket-Version", "13")], rejection.Headers);
    }

    [Fact]
    public void AMalformedExtensionsHeaderIs400()
    {
        HandshakeRejection rejection = Validate(Upgrade("Sec-WebSocket-Extensions: permessage-deflate; =\r\n"))!;
        Assert.Equal(400, rejection.StatusCode);
        Assert.Contains("Sec-WebSocket-Extensions", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RulesApplyInTheRfcOrder()
    {
        // A POST over HTTP/1.0 without Host or Upgrade: the method (item 1) is reported first.
        Assert.Equal(405, Validate("POST / HTTP/1.0\r\n\r\n")!.StatusCode);
        // No Host and no Upgrade: Host (item 2) before Upgrade (item 3).
        Assert.Contains("Host", Validate("GET / HTTP/1.1\r\n\r\n")!.Reason, StringComparison.Ordinal);
    }
}
