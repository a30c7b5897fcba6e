using WsServer.Extensions.Hosting;
using WsServer.Host.Cli;

namespace WsServer.Host.Tests;

/// <summary>The program is the top layer (Host -> Extensions.Hosting and Redis -> WsServer -> Protocol): it
/// reads its configuration with the hosting package's reader, which knows nothing of the program.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void TheProgramReferencesTheHostingPackageAndNotTheOtherWayRound()
    {
        string[] program = [.. typeof(HostCommand).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];
        string[] hosting = [.. typeof(WsServerConfigurationException).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];

        Assert.Contains("WsServer.Extensions.Hosting", program);
        Assert.Contains("WsServer.Redis", program);
        Assert.Contains("WsServer", program);
        Assert.DoesNotContain("WsServer.Host", hosting);
    }
}
