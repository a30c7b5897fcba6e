using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using WsServer.Hosting;
using WsServer.Protocol.Handshake;
using WsServer.Routing;

namespace WsServer.AspNetCore;

/// <summary>
/// One route's request delegate: hands the request to WsServer, which checks it and chooses the answer;
/// sends the refusal, or has Kestrel upgrade (HTTP/1.1's 101 through <see cref="IHttpUpgradeFeature"/>, HTTP/2's
/// 200 through <see cref="IHttpExtendedConnectFeature"/>) with WsServer's headers; then serves the connection
/// over the upgraded stream until it ends, which is when the request ends.
/// </summary>
internal sealed class WebSocketEndpoint(WebSocketServer server, WebSocketRoute route)
{
    public async Task HandleAsync(HttpContext context)
    {
        IHttpExtendedConnectFeature? connect = context.Features.Get<IHttpExtendedConnectFeature>();
        bool overHttp2 = connect?.IsExtendedConnect == true;
        UpgradeRequest request = HostRequest.Read(context, overHttp2 ? connect!.Protocol : null);
        HostedUpgrade upgrade = await server.AcceptUpgradeAsync(request, route, HostRequest.Peer(context), context).ConfigureAwait(false);
        if (upgrade.Rejection is { } rejection)
        {
            await RefuseAsync(context, rejection, overHttp2).ConfigureAwait(false);
            return;
        }
        Stream upgraded;
        try
        {
            foreach ((string name, string value) in upgrade.ResponseHeaders) context.Response.Headers.Append(name, value);
            // The WebSocket outlives any request timeout, and its bytes are no request body to limit.
            context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
            upgraded = overHttp2 ? await AcceptStreamAsync(context, connect!).ConfigureAwait(false) : await UpgradeAsync(context).ConfigureAwait(false);
        }
        catch
        {
            await upgrade.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        // HTTP/2 ends our side with END_STREAM; an upgraded HTTP/1.1 connection ends when this request does.
        Func<ValueTask>? endSending = overHttp2 ? () => new ValueTask(context.Response.CompleteAsync()) : null;
        await upgrade.RunAsync(upgraded, context.Abort, endSending).ConfigureAwait(false);
    }

    private static Task<Stream> UpgradeAsync(HttpContext context)
    {
        IHttpUpgradeFeature? feature = context.Features.Get<IHttpUpgradeFeature>();
        if (feature is not { IsUpgradableRequest: true })
            throw new InvalidOperationException("The HTTP server cannot upgrade this request (it offers no IHttpUpgradeFeature).");
        return feature.UpgradeAsync();
    }

    private static async Task<Stream> AcceptStreamAsync(HttpContext context, IHttpExtendedConnectFeature connect)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } maxBody) maxBody.MaxRequestBodySize = null;
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRate) minRate.MinDataRate = null;
        return await connect.AcceptAsync().ConfigureAwait(false);
    }

    /// <summary>The refusal's status, headers and reason as a text body. Kestrel writes <c>Connection</c> itself,
    /// and HTTP/2 has no <c>Upgrade</c>.</summary>
    private static Task RefuseAsync(HttpContext context, HandshakeRejection rejection, bool overHttp2)
    {
        HttpResponse response = context.Response;
        response.StatusCode = rejection.StatusCode;
        foreach ((string name, string value) in rejection.Headers)
        {
            if (IsNamed(name, "Connection") || (overHttp2 && IsNamed(name, "Upgrade"))) continue;
            response.Headers.Append(name, value);
        }
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(rejection.Body ?? rejection.Reason, context.RequestAborted);
    }

    private static bool IsNamed(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);
}
