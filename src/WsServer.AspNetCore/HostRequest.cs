using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Connections.Features;
using WsServer.Hosting;
using WsServer.Protocol.Handshake;

namespace WsServer.AspNetCore;

/// <summary>An ASP.NET Core request as WsServer reads an upgrade: the target as sent, every header field, the
/// HTTP version and HTTP/2's <c>:protocol</c>; and who sent it.</summary>
internal static class HostRequest
{
    private static readonly IPEndPoint Unknown = new(IPAddress.None, 0);

    public static UpgradeRequest Read(HttpContext context, string? protocol)
    {
        HttpRequest request = context.Request;
        var headers = new HttpHeaders();
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in request.Headers)
        {
            foreach (string? value in values) headers.Add(name, value ?? "");
        }
        headers.MakeReadOnly();
        // The target as sent (percent-encoding kept), as WsServer's own listeners see it.
        string target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
        int query = target.IndexOf('?', StringComparison.Ordinal);
        return new UpgradeRequest
        {
            Method = request.Method,
            Target = target,
            Path = query < 0 ? target : target[..query],
            Query = query < 0 ? "" : target[(query + 1)..],
            HttpVersion = VersionOf(request.Protocol),
            Protocol = protocol,
            Headers = headers,
        };
    }

    public static HostedPeer Peer(HttpContext context)
    {
        ConnectionInfo connection = context.Connection;
        ITlsHandshakeFeature? tls = context.Features.Get<ITlsHandshakeFeature>();
        return new HostedPeer(EndPoint(connection.RemoteIpAddress, connection.RemotePort), EndPoint(connection.LocalIpAddress, connection.LocalPort))
        {
            IsTls = context.Request.IsHttps,
            TlsProtocol = tls?.Protocol,
            TlsServerName = string.IsNullOrEmpty(tls?.HostName) ? null : tls.HostName,
        };
    }

    private static IPEndPoint EndPoint(IPAddress? address, int port) => address is null ? Unknown : new IPEndPoint(address, port);

    private static Version VersionOf(string protocol) =>
        HttpProtocol.IsHttp2(protocol) ? HttpVersion.Version20
        : HttpProtocol.IsHttp3(protocol) ? HttpVersion.Version30
        : HttpProtocol.IsHttp10(protocol) ? HttpVersion.Version10
        : HttpVersion.Version11;
}
