using System.Net;
using WsServer.Connections;
using WsServer.Hosting;

namespace WsServer.Benchmarks.Connection;

/// <summary>A real <see cref="WebSocketServer"/> on 127.0.0.1 and a free port, as the connection
/// benchmarks run it.</summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly WebSocketServer _server;

    /// <param name="handler">Serves every path.</param>
    public LoopbackServer(IWebSocketHandler handler)
    {
        var options = new ServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            // The benchmark clients never answer pings and receivers never send: keep-alive and the
            // idle timeout would close them, and their pings would land in the middle of the frames read.
            KeepAliveInterval = Timeout.InfiniteTimeSpan,
            IdleTimeout = Timeout.InfiniteTimeSpan,
            DrainTimeout = TimeSpan.FromSeconds(1),
        };
        _server = new WebSocketServer(options.UseHandler(handler));
        _server.StartAsync().GetAwaiter().GetResult();
        // Read once: LocalEndPoints builds a new list on every call.
        EndPoint = _server.LocalEndPoints[0];
    }

    public IPEndPoint EndPoint { get; }

    public WebSocketServer Server => _server;

    /// <summary>Waits until <paramref name="condition"/> holds (connections registered, subscriptions made).</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            Thread.Sleep(1);
        }
    }

    public void Dispose() => _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>Echoes every message as it came, text as text (the samples' echo).</summary>
internal sealed class EchoHandler : IWebSocketHandler
{
    public ValueTask<HandleResult> HandleAsync(WebSocketMessage message, WebSocketConnection connection,
        CancellationToken cancellationToken) => new(HandleResult.Reply(message));
}
