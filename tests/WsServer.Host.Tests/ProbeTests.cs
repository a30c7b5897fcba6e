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
            Assert.Equal((HttpStatusCode.OK, "ok"), await PlainHttp.GetAsync(uri, "/healthz"));
            Assert.Equal((HttpStatusCode.OK, "ready"), await PlainHttp.GetAsync(uri, "/readyz"));
        }
    }

    [Fact]
    public async Task AFlagMovesOneProbeAndOffTurnsTheOtherOff()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--health-path", "/alive", "--readiness-path", "off", "--route", "/chat=echo");
        using (host)
        {
            Assert.Equal((HttpStatusCode.OK, "ok"), await PlainHttp.GetAsync(uri, "/alive"));
            Assert.Equal(HttpStatusCode.NotFound, (await PlainHttp.GetAsync(uri, "/readyz")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await PlainHttp.GetAsync(uri, "/healthz")).Status);
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
}
