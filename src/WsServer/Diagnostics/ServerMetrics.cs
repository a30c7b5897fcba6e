using System.Diagnostics.Metrics;
using WsServer.Protocol.Closing;

namespace WsServer.Diagnostics;

/// <summary>
/// The server's instruments, on the meter named <see cref="MeterName"/> (System.Diagnostics.Metrics:
/// read them with dotnet-counters, OpenTelemetry or a <see cref="MeterListener"/>). With no listener an
/// instrument call costs a branch.
/// </summary>
public static class ServerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "WsServer";

    private static readonly Meter s_meter = new(MeterName, "0.1.0");
    private static readonly UpDownCounter<long> s_active = s_meter.CreateUpDownCounter<long>(
        "wsserver.connections.active", "{connection}", "Open WebSocket connections.");
    private static readonly Counter<long> s_opened = s_meter.CreateCounter<long>(
        "wsserver.connections.opened", "{connection}", "Upgrades accepted.");
    private static readonly Counter<long> s_closed = s_meter.CreateCounter<long>(
        "wsserver.connections.closed", "{connection}", "Connections ended, by close code.");
    private static readonly Counter<long> s_refused = s_meter.CreateCounter<long>(
        "wsserver.upgrades.refused", "{request}", "Upgrade requests answered with an HTTP error, by status.");
    private static readonly Counter<long> s_messages = s_meter.CreateCounter<long>(
        "wsserver.messages.received", "{message}", "Whole data messages received.");

    internal static void ConnectionOpened()
    {
        s_active.Add(1);
        s_opened.Add(1);
    }

    internal static void ConnectionClosed(CloseCode? code)
    {
        s_active.Add(-1);
        if (s_closed.Enabled) s_closed.Add(1, new KeyValuePair<string, object?>("close.code", (int?)code ?? 1005));
    }

    internal static void UpgradeRefused(int status)
    {
        if (s_refused.Enabled) s_refused.Add(1, new KeyValuePair<string, object?>("http.status", status));
    }

    private static readonly Histogram<double> s_roundTrip = s_meter.CreateHistogram<double>(
        "wsserver.connection.rtt", "ms", "Round-trip time of a ping to its pong (keep-alive pings and PingAsync).");

    internal static void MessageReceived() => s_messages.Add(1);

    internal static void RoundTrip(TimeSpan roundTrip)
    {
        if (s_roundTrip.Enabled) s_roundTrip.Record(roundTrip.TotalMilliseconds);
    }
}
