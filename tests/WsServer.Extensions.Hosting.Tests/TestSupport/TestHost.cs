using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using WsServer.Hosting;

namespace WsServer.Extensions.Hosting.Tests.TestSupport;

/// <summary>A Generic Host with in-memory configuration and nothing else (no appsettings.json, no
/// environment variables), so a test sees only its own settings. Its clients mostly leave the server's
/// close unanswered, so unless a test says otherwise the host's stop waits a short drain, not 10 s.</summary>
internal static class TestHost
{
    public static IHost Build(Dictionary<string, string?> settings, Action<WsServerBuilder> configure,
        Action<HostApplicationBuilder>? setup = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
        {
            ["WsServer:DrainTimeout"] = settings.GetValueOrDefault("WsServer:DrainTimeout", "0.2"),
        });
        setup?.Invoke(builder);
        builder.Services.AddWsServer(configure);
        return builder.Build();
    }

    /// <summary>The ws:// address of <paramref name="path"/> on the host's server, once started.</summary>
    public static Uri Uri(this IHost host, string path) =>
        new($"ws://127.0.0.1:{host.Services.GetRequiredService<WebSocketServer>().LocalEndPoints[0].Port}{path}");
}
