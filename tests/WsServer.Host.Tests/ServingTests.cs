using System.Net;
using System.Net.Sockets;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>Starting, binding and stopping the program, without WebSocket traffic.</summary>
public sealed class ServingTests
{
    [Fact]
    public async Task StartPrintsTheRealPortHandlerAndWorkers()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--workers", "10", "--handler", "echo");
        using (host)
        {
            string banner = await host.WaitForStartLineAsync();
            Assert.Equal($"wsserver 0.1.0 listening on {uri} with handler echo (workers 10)", banner);
            Assert.NotEqual(0, uri.Port);
            using var probe = new TcpClient();
            await probe.ConnectAsync(IPAddress.Loopback, uri.Port).WaitAsync(HostProcess.Timeout);
        }
    }

    [Fact]
    public async Task SigtermWithNoConnectionsExitsZero()
    {
        (HostProcess host, _) = await HostProcess.StartServingAsync();
        using (host)
        {
            host.Terminate();

            Assert.Equal(0, await host.WaitForExitAsync());
            Assert.Empty(host.Stderr);
        }
    }

    [Fact]
    public async Task HandlerFromAnAssemblyStarts()
    {
        string spec = $"{HostProcess.TestAssemblyPath}:WsServer.Host.Tests.TestHandlers.UppercaseHandler";
        (HostProcess host, _) = await HostProcess.StartServingAsync("--handler", spec);
        using (host)
        {
            Assert.Contains(host.Stdout, l => l.EndsWith($"with handler {spec} (workers 1024)", StringComparison.Ordinal));
            host.Terminate();
            Assert.Equal(0, await host.WaitForExitAsync());
        }
    }
}
