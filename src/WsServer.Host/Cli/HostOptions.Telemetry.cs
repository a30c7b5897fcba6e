using System.CommandLine;

namespace WsServer.Host.Cli;

/// <summary>The flags for tracing and for exporting the server's spans and metrics.</summary>
internal sealed partial class HostOptions
{
    public Option<string> OtlpEndpoint { get; } = new("--otlp-endpoint")
    {
        Description = "Send the server's spans and metrics to this OpenTelemetry collector over OTLP/HTTP (http://HOST:4318); " +
            "OTEL_EXPORTER_OTLP_HEADERS and OTEL_SERVICE_NAME apply. Default: none.",
        HelpName = "URL",
    };

    public Option<bool> TraceHandlerCalls { get; } = new("--trace-handler-calls")
    {
        Description = "A span for every message handed to a handler, beside the one for each upgrade; it costs, so off by default.",
    };

    private IEnumerable<Option> TelemetryOptions => [OtlpEndpoint, TraceHandlerCalls];
}
