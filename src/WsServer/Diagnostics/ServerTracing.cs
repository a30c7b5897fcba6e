using System.Diagnostics;
using System.Net;

namespace WsServer.Diagnostics;

/// <summary>
/// The server's spans, with OpenTelemetry's HTTP server conventions, on one <see cref="ActivitySource"/> named
/// <see cref="SourceName"/> (OpenTelemetry: <c>AddSource("WsServer")</c>): one per upgrade request, from its
/// head to the 101 or the refusal, continuing the trace of the request's <c>traceparent</c>; and, when
/// <see cref="Hosting.ServerOptions.TraceHandlerCalls"/> is on, one per message handed to a handler, a child of its
/// connection's upgrade. Nothing is made when nobody listens.
/// </summary>
public static class ServerTracing
{
    /// <summary>The activity source's name.</summary>
    public const string SourceName = "WsServer";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span for an upgrade request to <paramref name="path"/> (its route's pattern when routed); null
    /// when nobody listens.</summary>
    internal static Activity? StartUpgrade(string method, string path, string? route, string? traceParent, string? traceState,
        IPEndPoint remote, IPEndPoint local)
    {
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out ActivityContext parent);
        // The HTTP convention names a server span "METHOD ROUTE" (low cardinality), the method alone without a route.
        Activity? span = Source.StartActivity(route is null ? method : $"{method} {route}", ActivityKind.Server, parent);
        if (span is null) return null;
        span.SetTag("http.request.method", method);
        span.SetTag("url.path", path);
        if (route is not null) span.SetTag("http.route", route);
        span.SetTag("network.protocol.name", "websocket");
        span.SetTag("client.address", remote.Address.ToString());
        span.SetTag("client.port", remote.Port);
        span.SetTag("server.port", local.Port);
        return span;
    }

    /// <summary>Ends an upgrade's span: accepted (101, the subprotocol and the connection's id), or refused
    /// (its status, an error, and the reason).</summary>
    internal static void EndUpgrade(Activity? span, int status, string? refusal, string? subprotocol = null, long connectionId = 0)
    {
        if (span is null) return;
        span.SetTag("http.response.status_code", status);
        if (refusal is not null)
        {
            span.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            span.SetTag("wsserver.refusal.reason", refusal);
            span.SetStatus(ActivityStatusCode.Error, refusal);
        }
        else
        {
            if (subprotocol is not null) span.SetTag("websocket.subprotocol", subprotocol);
            span.SetTag("wsserver.connection.id", connectionId);
        }
        span.Dispose();
    }

    /// <summary>A span for one handler call of connection <paramref name="connectionId"/>, a child of its upgrade;
    /// null when nobody listens.</summary>
    internal static Activity? StartHandlerCall(string kind, long connectionId, ActivityContext upgrade)
    {
        if (!Source.HasListeners()) return null;
        Activity? span = Source.StartActivity($"WebSocket {kind}", ActivityKind.Internal, upgrade);
        span?.SetTag("wsserver.connection.id", connectionId);
        return span;
    }
}
