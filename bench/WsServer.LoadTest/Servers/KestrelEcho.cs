using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WsServer.LoadTest.Servers;

/// <summary>The <c>serve-kestrel</c> child: a minimal ASP.NET Core app with <c>UseWebSockets</c> and the
/// canonical echo loop (receive into a pooled buffer, send the same bytes). A text message that starts
/// with <c>fanout:</c> is sent on to every open socket in a plain loop, one send at a time. For the flood
/// scenario, <see cref="FloodRoutes.Slow"/> waits 1 ms after each message and replies nothing, and
/// <see cref="FloodRoutes.Firehose"/> sends 16 KiB messages, one awaited send after another, until a send
/// throws. Kestrel's limits are its defaults (but for the connection counts); permessage-deflate is on
/// (<c>DangerousEnableCompression</c>, with its defaults: context takeover kept, 15-bit windows).</summary>
internal static class KestrelEcho
{
    private static readonly ConcurrentDictionary<WebSocket, byte> Sockets = new();

    public static async Task<int> RunAsync(int port)
    {
        WebApplicationBuilder builder = CreateBuilder(port);
        await using WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }
            // Compression is negotiated only when the client offers it, as WsServer's (on by default) is.
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(
                new WebSocketAcceptContext { DangerousEnableCompression = true });
            switch (context.Request.Path.Value)
            {
                case FloodRoutes.Slow: await SlowAsync(socket, context.RequestAborted); break;
                case FloodRoutes.Firehose: await FirehoseAsync(socket, context.RequestAborted); break;
                default: await EchoAsync(socket, context.RequestAborted); break;
            }
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await ControlChannel.ServeAsync(new Uri(address).Port);
        await app.StopAsync();
        return 0;
    }

    /// <summary>The Kestrel of both ASP.NET Core children: loopback, no connection limits, warnings on stderr.</summary>
    public static WebApplicationBuilder CreateBuilder(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<LoggerFilterOptions>(f => f.CaptureScopes = false); // as WsServer's child
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MaxConcurrentUpgradedConnections = null;
        });
        return builder;
    }

    private static async Task EchoAsync(WebSocket socket, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        Sockets.TryAdd(socket, 0);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                    return;
                }
                ReadOnlyMemory<byte> received = buffer.AsMemory(0, result.Count);
                if (result.MessageType == WebSocketMessageType.Text && result.EndOfMessage
                    && received.Span.StartsWith(FanoutCommand.Prefix))
                {
                    await FanoutAsync(received[FanoutCommand.Prefix.Length..], ct);
                    continue;
                }
                await socket.SendAsync(received, result.MessageType, result.EndOfMessage, ct);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The load generator may drop a connection without the closing handshake.
        }
        finally
        {
            Sockets.TryRemove(socket, out _);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task SlowAsync(WebSocket socket, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                    return;
                }
                if (!result.EndOfMessage) continue;
                await Task.Delay(FloodRoutes.SlowDelay, ct);
                FloodRoutes.SlowMessageDone();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The flood's clients drop their connections without the closing handshake.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task FirehoseAsync(WebSocket socket, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await socket.SendAsync(FloodRoutes.FirehosePayload, WebSocketMessageType.Binary, endOfMessage: true, ct);
                FloodRoutes.FirehoseSent();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The connection is gone: the loop ends.
        }
    }

    private static async Task FanoutAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        foreach (WebSocket target in Sockets.Keys)
        {
            try
            {
                await target.SendAsync(payload, WebSocketMessageType.Binary, endOfMessage: true, ct);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
            {
                // A receiver that went away is skipped, as WsServer's broadcast skips closed connections.
            }
        }
    }
}
