using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsServer.Extensions.Hosting;
using WsServer.Hosting;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests.TestSupport;

/// <summary>A minimal ASP.NET Core application on Kestrel, on a free loopback port, with WsServer's endpoints;
/// stopped on dispose.</summary>
public sealed class KestrelApp : IAsyncDisposable
{
    private KestrelApp(WebApplication app, int port, bool tls)
    {
        App = app;
        Port = port;
        IsTls = tls;
    }

    public WebApplication App { get; }

    public int Port { get; }

    public bool IsTls { get; }

    public WebSocketServer Server => App.Services.GetRequiredService<WebSocketServer>();

    public Uri Uri(string path) => new($"{(IsTls ? "wss" : "ws")}://127.0.0.1:{Port}{path}");

    /// <summary>Starts an application whose endpoints <paramref name="map"/> maps, over <paramref name="protocols"/>
    /// (TLS with <paramref name="certificate"/> when given).</summary>
    public static async Task<KestrelApp> StartAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? build = null,
        HttpProtocols protocols = HttpProtocols.Http1, TestCertificate? certificate = null, Action<WsServerBuilder>? server = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("WSDEBUG") is not null) builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            if (certificate is not null) listen.UseHttps(certificate.Certificate);
        }));
        builder.Services.AddWsServerEndpoints(server);
        build?.Invoke(builder);
        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelApp(app, new Uri(address).Port, certificate is not null);
    }

    public async Task<System.Net.WebSockets.ClientWebSocket> ConnectAsync(string path)
    {
        var client = new System.Net.WebSockets.ClientWebSocket();
        await client.ConnectAsync(Uri(path), Timeouts.Token());
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(Timeouts.Token());
        await App.DisposeAsync();
    }
}
