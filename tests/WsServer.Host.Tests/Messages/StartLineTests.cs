using System.Text.RegularExpressions;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Messages;

/// <summary>The start line names what is served and how many connections can be served at once.</summary>
public sealed partial class StartLineTests
{
    [Theory]
    [InlineData("with routes /chat=chat, /echo=echo (workers 1024)", "--route", "/chat=chat", "--route", "/echo=echo")]
    [InlineData("with routes /chat=chat and handler broadcast elsewhere (workers 1024)", "--route", "/chat=chat", "--handler", "broadcast")]
    public async Task RoutesAreNamedAndTheHandlerOnlyWhenGiven(string served, params string[] args)
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync(args);
        using (host)
        {
            Assert.Equal($"wsserver 0.1.0 listening on {uri} {served}", await host.WaitForStartLineAsync());
        }
    }

    [Fact]
    public async Task UnderADescriptorLimitTheWorkersAreTheEffectiveFigure()
    {
        Assert.True(OperatingSystem.IsLinux(), "this test needs Linux's prlimit: apt-get install -y util-linux");
        (HostProcess host, Uri uri) = await HostProcess.StartServingUnderAsync(["prlimit", "--nofile=256"]);
        using (host)
        {
            string capped = await host.WaitForStdoutAsync(l => l.Contains("WsServer[31]", StringComparison.Ordinal));
            string cap = CapOf().Match(capped).Groups[1].Value;
            string banner = await host.WaitForStartLineAsync();
            Assert.Equal($"wsserver 0.1.0 listening on {uri} with handler echo (workers {cap}, not 1024: the file descriptor limit, ulimit -n, leaves room for no more)", banner);
            Assert.True(int.Parse(cap, System.Globalization.CultureInfo.InvariantCulture) < 1024);
        }
    }

    [GeneratedRegex(@"Serving at most (\d+) sockets")]
    private static partial Regex CapOf();
}
