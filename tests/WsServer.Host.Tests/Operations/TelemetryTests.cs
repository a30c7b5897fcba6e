using System.Net.WebSockets;
using WsServer.Host.Cli;
using WsServer.Host.Configuration;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Operations;

/// <summary><c>--otlp-endpoint</c> sends the server's spans and metrics to an OpenTelemetry collector.</summary>
public sealed class TelemetryTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public async Task TheUpgradeAndHandlerSpansReachTheCollectorInTheCallersTrace()
    {
        using var collector = new FakeCollector();
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync(
            "--route", "/echo=echo", "--otlp-endpoint", collector.Url.AbsoluteUri, "--trace-handler-calls");
        using (host)
        {
            using (var socket = new ClientWebSocket())
            {
                socket.Options.SetRequestHeader("traceparent", $"00-{TraceId}-00f067aa0ba902b7-01");
                await socket.ConnectAsync(new Uri(uri, "/echo"), CancellationToken.None).WaitAsync(HostProcess.Timeout);
                await socket.SendAsync("traced"u8.ToArray(), WebSocketMessageType.Text);
                Assert.Equal("traced"u8.ToArray(), (await socket.ReceiveMessageAsync()).Data);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure);
            }
            // What is batched is sent when the program stops.
            host.Terminate();
            Assert.Equal(0, await host.WaitForExitAsync());

            byte[] traces = await collector.WaitForAsync("/v1/traces", "GET /echo");
            Assert.True(traces.AsSpan().IndexOf(Convert.FromHexString(TraceId)) >= 0, "the upgrade's span is not in the caller's trace");
            Assert.True(traces.AsSpan().IndexOf("WebSocket message"u8) >= 0, "no span for the handler call");
            Assert.True(NamesTheService(traces, "wsserver"), "the resource's service.name is not wsserver");
            await collector.WaitForAsync("/v1/metrics", "wsserver.connections.opened");
        }
    }

    // The resource attribute as protobuf encodes it: the key "service.name", then, a few bytes on, its string value.
    private static bool NamesTheService(byte[] body, string name)
    {
        int key = body.AsSpan().IndexOf("service.name"u8);
        if (key < 0) return false;
        ReadOnlySpan<byte> after = body.AsSpan(key + "service.name".Length);
        return after[..Math.Min(after.Length, 8 + name.Length)].IndexOf(System.Text.Encoding.UTF8.GetBytes(name)) >= 0;
    }

    [Fact]
    public void TheConfigFileNamesTheCollectorAndTurnsOnHandlerSpans()
    {
        HostSettings settings = HostCommand.ReadSettings(["--config", Settings.ConfigFile("""{ "otlpEndpoint": "http://10.0.0.5:4318", "traceHandlerCalls": true }""")]);

        Assert.Equal(new Uri("http://10.0.0.5:4318"), settings.OtlpEndpoint);
        Assert.True(settings.Options.TraceHandlerCalls);
    }

    [Theory]
    [InlineData("collector:4318")]
    [InlineData("ftp://127.0.0.1:4318")]
    public async Task AnEndpointThatIsNotAnHttpUrlIsAUsageError(string endpoint)
    {
        (int code, string[] stderr, _) = await Settings.FailAsync("--otlp-endpoint", endpoint);

        Assert.Equal(2, code);
        Assert.Contains($"'{endpoint}' is not a collector's URL such as http://127.0.0.1:4318", Assert.Single(stderr), StringComparison.Ordinal);
    }
}
