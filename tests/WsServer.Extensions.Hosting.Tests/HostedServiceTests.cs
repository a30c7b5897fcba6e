using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WsServer.Extensions.Hosting.Tests.TestHandlers;
using WsServer.Extensions.Hosting.Tests.TestSupport;
using WsServer.Hosting;
using WsServer.Tests.TestSupport;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>The server lives as long as the host: it listens once the host has started, and the host's
/// stop drains it (close 1001, then the wait of <see cref="ServerOptions.DrainTimeout"/>).</summary>
public sealed class HostedServiceTests
{
    [Fact]
    public async Task TheServerStartsWithTheHostAndClosesWith1001WhenTheHostStops()
    {
        using IHost host = TestHost.Build(new() { ["WsServer:Port"] = "0", ["WsServer:DrainTimeout"] = "00:00:10" },
            ws => ws.MapHandler<EchoHandler>("/echo"));
        WebSocketServer server = host.Services.GetRequiredService<WebSocketServer>();
        Assert.Empty(server.LocalEndPoints);

        await host.StartAsync(Timeouts.Token());
        Uri uri = host.Uri("/echo");
        using var client = new ClientWebSocket();
        await client.ConnectAsync(uri, Timeouts.Token());
        await client.SendTextAsync("hello");
        Assert.Equal("hello", await client.ReceiveTextAsync());

        Task stopping = host.StopAsync(Timeouts.Token());
        (WebSocketCloseStatus? status, string? reason) = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status); // 1001, going away
        Assert.Equal("server shutting down", reason);
        await client.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, null, Timeouts.Token());
        await stopping.Bounded();

        Assert.Equal(0, server.ConnectionCount);
        using var late = new ClientWebSocket();
        await Assert.ThrowsAnyAsync<Exception>(() => late.ConnectAsync(uri, Timeouts.Token()));
    }

    [Fact]
    public async Task TheServerLogsThroughTheHostsLoggerFactory()
    {
        var provider = new RecordingLoggerProvider();
        using IHost host = TestHost.Build(new() { ["WsServer:Port"] = "0" }, ws => ws.MapHandler<EchoHandler>("/echo"),
            builder => builder.Logging.AddProvider(provider));

        await host.StartAsync(Timeouts.Token());
        await host.StopAsync(Timeouts.Token());

        Assert.Contains(provider.Categories, category => category == "WsServer");
    }

    [Fact]
    public void TheServerLibraryDoesNotReferenceTheHostingPackage()
    {
        string[] references = [.. typeof(WebSocketServer).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];

        Assert.DoesNotContain("WsServer.Extensions.Hosting", references);
        Assert.DoesNotContain("Microsoft.Extensions.Hosting.Abstractions", references);
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _categories = new();

        public IEnumerable<string> Categories => _categories;

        public ILogger CreateLogger(string categoryName)
        {
            _categories.Enqueue(categoryName);
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }

        public void Dispose()
        {
        }
    }
}
