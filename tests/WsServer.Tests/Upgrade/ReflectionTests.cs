using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Upgrade;

/// <summary>Nothing from the request is reflected unescaped into a refusal: request text in a reason (the
/// body, and the log) keeps only printable ASCII, with markup, controls and other bytes as \xNN, cut to a
/// bounded length.</summary>
public sealed class ReflectionTests
{
    [Fact]
    public async Task ARefusedOriginWithMarkupAndANonAsciiByteIsEscapedInThe403Body()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/strict", new CountingHandler(),
            new WebSocketRouteOptions { AllowedOrigins = ["https://example.com"] }));

        // The origin carries the byte E9 (sent as Latin-1, one byte per char).
        HttpAnswer answer = await HttpExchange.SendLatin1Async(server.Port,
            HttpExchange.UpgradeRequest(server.Port, "/strict", "Origin: https://<script>alert(1)</script>.caf\u00e9\r\n"));

        Assert.Equal(403, answer.Status);
        Assert.Equal(@"origin not allowed: https://\x3cscript\x3ealert(1)\x3c/script\x3e.caf\xe9", answer.Body);
        Assert.DoesNotContain("<", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALongRefusedOriginIsCut()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/strict", new CountingHandler(),
            new WebSocketRouteOptions { AllowedOrigins = ["https://example.com"] }));
        string origin = "https://" + new string('a', 1000) + ".example";

        HttpAnswer answer = await HttpExchange.SendAsync(server.Port,
            HttpExchange.UpgradeRequest(server.Port, "/strict", $"Origin: {origin}\r\n"));

        Assert.Equal(403, answer.Status);
        Assert.Equal("origin not allowed: " + origin[..64] + "...", answer.Body);
    }
}
