using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Interop;

/// <summary>Upgrade callbacks, subprotocols, origins and routes as Python's <c>websockets</c> sees them.</summary>
public sealed class PythonUpgradeTests
{
    [Fact]
    public async Task PythonClientSeesSubprotocolHeaderRejectionNotFoundAndForbidden()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/a", new EchoHandler(), new WebSocketRouteOptions
        {
            Subprotocols = ["v2", "v1"],
            AllowedOrigins = ["https://example.com"],
            OnUpgrade = context => new(context.GetQueryValue("token") == "good"
                ? UpgradeDecision.Accept(headers: [new("X-Session", "42")])
                : UpgradeDecision.Reject(401, "bad token", [new("WWW-Authenticate", "Bearer")])),
        }));

        (int exit, string output) = await PythonWebSocketsTests.RunAsync(
            Path.Combine(AppContext.BaseDirectory, "Interop", "upgrade_client.py"),
            server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, output);
        Assert.Contains("OK", output, StringComparison.Ordinal);
    }
}
