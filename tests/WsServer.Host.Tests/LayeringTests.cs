using WsServer.Extensions.Hosting;
using WsServer.Host.Cli;
using WsServer.Tests.TestSupport;

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

    /// <summary>The program's folders, top first: the commands, then what they run, down to its built-in handlers.</summary>
    private static readonly string[][] ProgramLayers =
    [
        ["WsServer.Host", "WsServer.Host.Cli"],
        ["WsServer.Host.Connecting", "WsServer.Host.Serving"],
        ["WsServer.Host.Status"],
        ["WsServer.Host.Configuration"],
        ["WsServer.Host.Handlers"],
        ["WsServer.Host.BuiltInHandlers"],
        ["WsServer.Host.Exits"],
    ];

    [Fact]
    public void TheProgramsNamespacesPointDown() =>
        NamespaceGraph.AssertPointsDown(typeof(HostCommand).Assembly, "WsServer.Host", ProgramLayers);
}
