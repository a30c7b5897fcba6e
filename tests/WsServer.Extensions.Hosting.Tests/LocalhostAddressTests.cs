using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WsServer.Extensions.Hosting.Tests.TestHandlers;
using WsServer.Extensions.Hosting.Tests.TestSupport;
using WsServer.Hosting;
using WsServer.Tests.TestSupport;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>"Address": "localhost" is loopback (127.0.0.1), as the wsserver program's --address localhost is.</summary>
public sealed class LocalhostAddressTests
{
    [Fact]
    public async Task LocalhostListensOnIpv4Loopback()
    {
        using IHost host = TestHost.Build(new() { ["WsServer:Port"] = "0", ["WsServer:Address"] = "localhost", ["WsServer:Routes:/echo:Handler"] = "echo" },
            ws => ws.AddHandler<EchoHandler>("echo"));

        await host.StartAsync(Timeouts.Token());
        IPEndPoint bound = host.Services.GetRequiredService<WebSocketServer>().LocalEndPoints[0];
        await host.StopAsync(Timeouts.Token());

        Assert.Equal(IPAddress.Loopback, bound.Address);
    }
}
