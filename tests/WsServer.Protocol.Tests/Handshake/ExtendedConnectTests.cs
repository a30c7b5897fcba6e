using System.Net;
using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 8441 (WebSockets over HTTP/2) as another HTTP server hands the request over: the extended CONNECT
/// of §4 and the header fields of §5, which keep Sec-WebSocket-Version, -Protocol and -Extensions and drop the
/// key and the accept; and the answer's fields for a host that writes the status line itself.</summary>
public class ExtendedConnectTests
{
    private static UpgradeRequest Request(string method = "CONNECT", string? protocol = "websocket", Version? version = null,
        params (string Name, string Value)[] fields)
    {
        var headers = new HttpHeaders();
        foreach ((string name, string value) in fields.Length > 0 ? fields : [("Host", "example.com"), ("Sec-WebSocket-Version", "13")])
            headers.Add(name, value);
        return new UpgradeRequest
        {
            Method = method, Target = "/chat", Path = "/chat", Query = "", HttpVersion = version ?? HttpVersion.Version20,
            Protocol = protocol, Headers = headers,
        };
    }

    [Fact]
    public void AnExtendedConnectWithVersion13AndNoKeyIsValid() => Assert.Null(ServerHandshake.Validate(Request()));

    [Fact]
    public void AnotherMethodIs405WithAllowConnect()
    {
        HandshakeRejection rejection = ServerHandshake.Validate(Request(method: "GET"))!;
        Assert.Equal(405, rejection.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("Allow", "CONNECT"), rejection.Headers);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("webtransport")]
    [InlineData("WebSocket")]
    public void AProtocolOtherThanWebsocketIs400(string? protocol)
    {
        HandshakeRejection rejection = ServerHandshake.Validate(Request(protocol: protocol))!;
        Assert.Equal(400, rejection.StatusCode);
        Assert.Contains(":protocol", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAuthorityIs400() =>
        Assert.Equal(400, ServerHandshake.Validate(Request(fields: [("Sec-WebSocket-Version", "13")]))!.StatusCode);

    [Theory]
    [InlineData("8")]
    [InlineData("")]
    public void AnotherVersionIs426WithVersion13(string version)
    {
        HandshakeRejection rejection = ServerHandshake.Validate(Request(fields: [("Host", "a"), ("Sec-WebSocket-Version", version)]))!;
        Assert.Equal(426, rejection.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("Sec-WebSocket-Version", "13"), rejection.Headers);
    }

    [Fact]
    public void MalformedExtensionsAre400() =>
        Assert.Equal(400, ServerHandshake.Validate(Request(fields: [("Host", "a"), ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Extensions", "permessage-deflate; =")]))!.StatusCode);

    [Fact]
    public void TheAnswerOverHttp2HasNoAcceptNorUpgrade()
    {
        UpgradeRequest request = Request(fields: [("Host", "a"), ("Sec-WebSocket-Version", "13"), ("Sec-WebSocket-Protocol", "chat")]);

        IReadOnlyList<KeyValuePair<string, string>> fields = ServerHandshake.AcceptFields(request,
            new HandshakeAccept { Subprotocol = "chat", Extensions = "permessage-deflate", Headers = [new("Set-Cookie", "a=b")] });

        Assert.Equal<KeyValuePair<string, string>>(
            [new("Sec-WebSocket-Protocol", "chat"), new("Sec-WebSocket-Extensions", "permessage-deflate"), new("Set-Cookie", "a=b")], fields);
    }

    [Fact]
    public void TheAnswerOverHttp11HasTheAcceptOfTheKey()
    {
        UpgradeRequest request = Request(method: "GET", protocol: null, version: HttpVersion.Version11,
            fields: [("Host", "a"), ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                ("Sec-WebSocket-Version", "13")]);
        Assert.Null(ServerHandshake.Validate(request));

        IReadOnlyList<KeyValuePair<string, string>> fields = ServerHandshake.AcceptFields(request, HandshakeAccept.Plain);

        // RFC 6455 §1.3's example key and accept.
        Assert.Equal<KeyValuePair<string, string>>(
            [new("Upgrade", "websocket"), new("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")], fields);
    }

    [Fact]
    public void AnAnswerWithASubprotocolNotOfferedOrAReservedFieldThrows()
    {
        UpgradeRequest request = Request();
        Assert.Throws<ArgumentException>(() => ServerHandshake.AcceptFields(request, new HandshakeAccept { Subprotocol = "chat" }));
        Assert.Throws<ArgumentException>(() => ServerHandshake.AcceptFields(request,
            new HandshakeAccept { Headers = [new("Sec-WebSocket-Accept", "x")] }));
    }
}
