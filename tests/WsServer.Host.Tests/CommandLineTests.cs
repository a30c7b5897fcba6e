using WsServer.Host.Cli;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>Flags, help, version and usage errors: none of these needs a WebSocket connection.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task HelpListsEveryFlagAndExitsZero()
    {
        using HostProcess host = HostProcess.Start("--help");

        Assert.Equal(0, await host.WaitForExitAsync());
        string help = string.Join('\n', host.Stdout);
        Assert.Contains("wsserver", help, StringComparison.Ordinal);
        foreach (string flag in new HostOptions().All.Select(o => o.Name).Concat(["--version", "--help"]))
            Assert.Contains(flag, help, StringComparison.Ordinal);
        Assert.Empty(host.Stderr);
    }

    [Fact]
    public async Task VersionPrintsTheProjectVersionAndExitsZero()
    {
        using HostProcess host = HostProcess.Start("--version");

        Assert.Equal(0, await host.WaitForExitAsync());
        Assert.Equal(["0.1.0"], host.Stdout);
    }

    [Theory]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--port abc", "--port")]
    [InlineData("--port 65536", "--port")]
    [InlineData("--workers 0", "--workers")]
    [InlineData("--workers -3", "--workers")]
    [InlineData("--max-message-size 0", "--max-message-size")]
    [InlineData("--address not-an-ip", "--address")]
    [InlineData("--log-level Loud", "--log-level")]
    [InlineData("--port", "--port")]
    [InlineData("--handler nosuch", "unknown handler 'nosuch'")]
    [InlineData("--handler /no/such.dll:X.Y", "assembly not found: /no/such.dll")]
    public async Task BadFlagIsOneLineOnStderrAndExitCodeTwo(string args, string named)
    {
        using HostProcess host = HostProcess.Start(args.Split(' '));

        Assert.Equal(2, await host.WaitForExitAsync());
        string line = Assert.Single(host.Stderr);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.Empty(host.Stdout);
    }

    [Fact]
    public async Task TypeThatIsNotAHandlerIsOneLineAndExitCodeTwo()
    {
        string spec = $"{HostProcess.TestAssemblyPath}:WsServer.Host.Tests.TestHandlers.NotAHandler";
        using HostProcess host = HostProcess.Start("--handler", spec);

        Assert.Equal(2, await host.WaitForExitAsync());
        string line = Assert.Single(host.Stderr);
        Assert.Contains("WsServer.Host.Tests.TestHandlers.NotAHandler does not implement IWebSocketHandler or IWebSocketHandler<TState>", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTypeIsOneLineAndExitCodeTwo()
    {
        string spec = $"{HostProcess.TestAssemblyPath}:No.Such.Type";
        using HostProcess host = HostProcess.Start("--handler", spec);

        Assert.Equal(2, await host.WaitForExitAsync());
        string line = Assert.Single(host.Stderr);
        Assert.Contains($"type No.Such.Type not found in {HostProcess.TestAssemblyPath}", line, StringComparison.Ordinal);
    }
}
