using WsServer.Host.BuiltInHandlers;
using WsServer.Host.Cli;
using WsServer.Host.Handlers;
using WsServer.Hosting;
using WsServer.Routing;
using WsServer.Transport;

namespace WsServer.Host.Serving;

/// <summary>Turns the program's settings into server options: handlers by route, subprotocols and
/// origins per route, TLS and the PROXY protocol on the listener.</summary>
internal static class TransportSetup
{
    public static void Apply(HostSettings settings, ServerOptions options)
    {
        TransportSettings transport = settings.Transport;
        foreach (RouteSpec route in transport.Routes)
            HandlerCatalog.Register(route.Handler, options, route.Pattern, RouteOptionsFor(transport, route), settings.ChatHistory);
        if (transport.HasFallback) HandlerCatalog.Register(settings.Handler, options, null, RouteOptionsFor(transport, null), settings.ChatHistory);
        options.ProxyProtocol = transport.ProxyProtocol;
        options.Tls = TlsFor(transport);
    }

    private static RouteOptions RouteOptionsFor(TransportSettings transport, RouteSpec? route)
    {
        IReadOnlyList<string> origins = route?.AllowedOrigins ?? transport.AllowedOrigins;
        return new RouteOptions
        {
            Subprotocols = route?.Subprotocols ?? transport.Subprotocols,
            AllowedOrigins = origins.Count == 0 ? null : origins,
        };
    }

    private static TlsOptions? TlsFor(TransportSettings transport)
    {
        if (transport.Certificate is null)
        {
            if (transport.Key is not null || transport.CertificatePassword is not null)
                throw new UsageException("--key and --cert-password need --cert");
            return null;
        }
        var file = new CertificateFile { Path = transport.Certificate, KeyPath = transport.Key, Password = transport.CertificatePassword };
        if (file.IsPkcs12 && file.KeyPath is not null) throw new UsageException("--key is for a PEM --cert; a .pfx holds its key");
        return new TlsOptions { Certificate = file };
    }
}
