using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsServer.AspNetCore;
using WsServer.Hosting;
using WsServer.Routing;

namespace WsServer.Tests.TestSupport;

/// <summary>The same options served by ASP.NET Core instead of WsServer's own listener: Kestrel on a free loopback
/// port accepts and upgrades through WsServer.AspNetCore, each route of the table mapped to an endpoint. How
/// test.sh runs the conformance and interop tests a fourth time (WSTEST_HOST=aspnetcore).</summary>
internal static class KestrelHost
{
    public const string Variable = "WSTEST_HOST";

    public static bool IsWanted => Environment.GetEnvironmentVariable(Variable) == "aspnetcore";

    /// <summary>The application (stopped, then disposed, on dispose), its server and its port.</summary>
    public static async Task<(IAsyncDisposable App, WebSocketServer Server, int Port)> StartAsync(Action<ServerOptions> configure,
        ILoggerProvider? logging = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("WSDEBUG") is not null) builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Trace);
        // A test's capturing logger sees the server's events as it would behind WsServer's own listener.
        if (logging is not null) builder.Logging.AddProvider(logging).SetMinimumLevel(LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddWsServerEndpoints(server => server.Configure(configure));
        WebApplication app = builder.Build();
        var server = app.Services.GetRequiredService<WebSocketServer>();
        foreach (WebSocketRoute route in server.Options.Routes.Routes)
        {
            // "/rooms/*" serves "/rooms" and everything under it; "/*" (the fallback) every path, after the others.
            if (route.Pattern == "/*") app.MapWebSocketRoute("/{**path}", route).WithOrder(int.MaxValue);
            else if (route.IsPrefix) app.MapWebSocketRoute(route.Pattern[..^2] + "/{**rest}", route);
            else app.MapWebSocketRoute(route.Pattern, route);
        }
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (new Stopping(app), server, new Uri(address).Port);
    }

    private sealed class Stopping(WebApplication app) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
