using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.Hosting;

namespace WsServer.Tests.TestSupport;

/// <summary>A real server on a free loopback port, stopped on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly IAsyncDisposable? _host;

    private TestServer(WebSocketServer server, int port, IAsyncDisposable? host = null)
    {
        Server = server;
        Port = port;
        _host = host;
    }

    public WebSocketServer Server { get; }

    public int Port { get; }

    public Uri Uri(string path = "/") => new($"ws://127.0.0.1:{Port}{path}");

    public const string InlineIoVariable = "WSTEST_INLINE_IO";

    public const string TransportVariable = "WSTEST_TRANSPORT";

    public static Task<TestServer> StartAsync<TState>(IWebSocketHandler<TState> handler, Action<ServerOptions>? configure = null) =>
        StartAsync(options =>
        {
            options.UseHandler(handler);
            configure?.Invoke(options);
        });

    /// <summary>The transport this run of the suite tests. test.sh runs it three ways: as it is (the epoll loops,
    /// continuations on the thread pool), with WSTEST_INLINE_IO=1 (every connection on its loop's thread, as
    /// wsserver runs its built-in handlers) and with WSTEST_TRANSPORT=sockets (.NET's socket engine, as off Linux
    /// x86-64).</summary>
    public static void UseTransportUnderTest(ServerOptions options)
    {
        options.InlineIo = Environment.GetEnvironmentVariable(InlineIoVariable) == "1";
        options.EpollTransport = Environment.GetEnvironmentVariable(TransportVariable) != "sockets";
    }

    public static async Task<TestServer> StartAsync(Action<ServerOptions> configure, System.Diagnostics.Metrics.IMeterFactory? meters = null,
        ILoggerFactory? logging = null)
    {
        var options = new ServerOptions { Port = 0, Address = IPAddress.Loopback, DrainTimeout = TimeSpan.FromSeconds(5) };
        UseTransportUnderTest(options);
        if (KestrelHost.IsWanted)
        {
            // WSTEST_HOST=aspnetcore: the same routes and options behind Kestrel, through WsServer.AspNetCore.
            (IAsyncDisposable app, WebSocketServer hosted, int port) = await KestrelHost.StartAsync(o =>
            {
                o.DrainTimeout = options.DrainTimeout;
                configure(o);
            }, logging as ILoggerProvider);
            return new TestServer(hosted, port, app);
        }
        configure(options);
        // WSDEBUG=1 in the environment prints the server's log, for a test that needs a look inside.
        logging ??= Environment.GetEnvironmentVariable("WSDEBUG") is null
            ? null
            : LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Trace));
        var server = new WebSocketServer(options, logging, meters);
        await server.StartAsync();
        return new TestServer(server, server.LocalEndPoints[0].Port);
    }

    public async Task<ClientWebSocket> ConnectAsync(string path = "/")
    {
        var client = new ClientWebSocket();
        await client.ConnectAsync(Uri(path), Timeouts.Token());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is null) await Server.DisposeAsync();
        else await _host.DisposeAsync();
    }
}
