using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WsServer.Diagnostics;

namespace WsServer.Host.Serving;

/// <summary>Sends the server's spans (<see cref="ServerTracing"/>) and metrics (<see cref="ServerMetrics"/>) to an
/// OpenTelemetry collector over OTLP/HTTP, batched; what is pending is sent when the program stops.</summary>
internal static class Telemetry
{
    /// <summary>Adds the export to <paramref name="services"/>; call before the server's hosted service is added,
    /// so the listeners exist before its first connection.</summary>
    public static void AddExport(IServiceCollection services, Uri collector) => services.AddOpenTelemetry()
        // OTEL_SERVICE_NAME names the process when set, as everywhere in OpenTelemetry.
        .ConfigureResource(resource => resource.AddService(
            Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? "wsserver", serviceVersion: HostedServer.Version))
        .WithTracing(tracing => tracing.AddSource(ServerTracing.SourceName).AddOtlpExporter(o => Send(o, collector, "v1/traces")))
        .WithMetrics(metrics => metrics.AddMeter(ServerMetrics.MeterName).AddOtlpExporter(o => Send(o, collector, "v1/metrics")));

    // An endpoint set in code is used as given (the exporter appends the signal's path only to one from the environment).
    private static void Send(OtlpExporterOptions options, Uri collector, string signalPath)
    {
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Endpoint = new Uri(collector.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
    }
}
