using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Upgrade;

/// <summary>RFC 9110 §5.1, §5.5 and §5.6.2: a header an upgrade callback hands over is checked at the call
/// (<see cref="UpgradeDecision.Accept"/>, <see cref="UpgradeDecision.Reject"/>), with an
/// <see cref="ArgumentException"/> naming it, so it can never inject a line into the answer.</summary>
public sealed class UpgradeDecisionHeaderTests
{
    public static TheoryData<string, string> BadFields() => new()
    {
        { "X-Evil", "a\r\nSet-Cookie: session=stolen" },
        { "X-Evil", "a\nb" },
        { "X-Evil", "a\rb" },
        { "X-Evil", "a\0b" },
        { "X-Evil", "\u4e2d" },
        { "X-Evil\r\nSet-Cookie", "x" },
        { "X Evil", "x" },
        { "X-Evil:", "x" },
        { "", "x" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void AcceptRefusesAnInvalidHeaderAtTheCall(string name, string value)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            UpgradeDecision.Accept(headers: [new("X-Good", "1"), new(name, value)]));

        Assert.Equal("headers", error.ParamName);
        Assert.Contains($"'{Protocol.Handshake.HandshakeRejection.Escape(name)}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public void RejectRefusesAnInvalidHeaderAtTheCall(string name, string value)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            UpgradeDecision.Reject(401, "no", [new(name, value)]));

        Assert.Equal("headers", error.ParamName);
        Assert.Contains($"'{Protocol.Handshake.HandshakeRejection.Escape(name)}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Accept")]
    [InlineData("Connection")]
    public void AcceptRefusesAHeaderThe101WritesItself(string name) =>
        Assert.Throws<ArgumentException>(() => UpgradeDecision.Accept(headers: [new(name, "x")]));

    [Fact]
    public void RejectRefusesAContentLength() =>
        Assert.Throws<ArgumentException>(() => UpgradeDecision.Reject(400, "no", [new("Content-Length", "0")]));

    [Fact]
    public void ValidHeadersAreKept()
    {
        Assert.Equal([new("Set-Cookie", "id=1; HttpOnly"), new("X-Latin1", "caf\u00e9\tok")],
            UpgradeDecision.Accept(headers: [new("Set-Cookie", "id=1; HttpOnly"), new("X-Latin1", "caf\u00e9\tok")]).Headers);
        Assert.Equal([new("WWW-Authenticate", "Bearer")],
            UpgradeDecision.Reject(401, "no", [new("WWW-Authenticate", "Bearer")]).Rejection!.Headers);
    }

    [Fact]
    public async Task ACallbackWhoseAcceptThrowsIsAnswered500AndNothingIsInjected()
    {
        var handler = new CountingHandler();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/a", handler, new WebSocketRouteOptions
        {
            OnUpgrade = _ => new(UpgradeDecision.Accept(headers: [new("X-Evil", "a\r\nSet-Cookie: session=stolen")])),
        }));

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port, HttpExchange.UpgradeRequest(server.Port, "/a"));

        Assert.Equal(500, answer.Status);
        Assert.Null(answer.Header("Set-Cookie"));
        Assert.Null(answer.Header("X-Evil"));
        Assert.Equal(0, handler.Inits);
    }
}
