using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using WsServer.AspNetCore;
using WsServer.Connections;
using WsServer.Hosting;

namespace WsServer.LoadTest.Servers;

/// <summary>The <c>serve-aspnetcore</c> child (<c>--wsserver-host aspnetcore</c>): WsServer's echo and fan-out
/// handler inside ASP.NET Core, through WsServer.AspNetCore. Kestrel accepts and upgrades with the same settings
/// as the <c>serve-kestrel</c> child; WsServer answers the upgrade and runs the codec over Kestrel's stream. The
/// flood routes are WsServer's own.</summary>
internal static class AspNetCoreEcho
{
    public static async Task<int> RunAsync(int port)
    {
        WebApplicationBuilder builder = KestrelEcho.CreateBuilder(port);
        builder.Services.AddWsServerEndpoints();
        await using WebApplication app = builder.Build();
        var handler = new EchoFanoutHandler { Server = app.Services.GetRequiredService<WebSocketServer>() };
        app.MapWebSocketHandler(FloodRoutes.Slow, async (message, connection, ct) =>
        {
            await Task.Delay(FloodRoutes.SlowDelay, ct);
            FloodRoutes.SlowMessageDone();
            return HandleResult.NoReply();
        });
        app.MapWebSocketHandler(FloodRoutes.Firehose, new WsServerEcho.FirehoseHandler());
        app.MapWebSocketHandler("/{**path}", handler).WithOrder(int.MaxValue);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await ControlChannel.ServeAsync(new Uri(address).Port);
        await app.StopAsync();
        return 0;
    }
}
