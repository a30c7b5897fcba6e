using System.Net;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>The program answers a load balancer's probes on its port by default; a flag moves or turns off each.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task HealthzAndReadyzAnswer200ByDefault()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync();
        using (host)
        {
            Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(uri, "/healthz"));
            Assert.Equal((HttpStatusCode.OK, "ready"), await GetAsync(uri, "/readyz"));
        }
    }

    [Fact]
    public async Task AFlagMovesOneProbeAndOffTurnsTheOtherOff()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--health-path", "/alive", "--readiness-path", "off", "--route", "/chat=echo");
        using (host)
        {
            Assert.Equal((HttpStatusCode.OK, "ok"), await GetAsync(uri, "/alive"));
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(uri, "/readyz")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(uri, "/healthz")).Status);
        }
    }

    [Fact]
    public async Task APathWithoutItsSlashIsAUsageError()
    {
        using HostProcess host = HostProcess.Start("--port", "0", "--health-path", "healthz");

        Assert.Equal(2, await host.WaitForExitAsync());
        string line = Assert.Single(host.Stderr);
        Assert.Contains("--health-path", line, StringComparison.Ordinal);
        Assert.Contains("starting with '/'", line, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(Uri server, string path)
    {
        using var http = new HttpClient();
        using var timeout = new CancellationTokenSource(HostProcess.Timeout);
        HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}{path}"), timeout.Token);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
