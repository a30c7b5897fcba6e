using System.Net;
using System.Net.Sockets;
using WsServer.Tests.TestSupport;

namespace WsServer.Extensions.Hosting.Tests;

/// <summary>samples/GenericHost run as a process (<c>dotnet GenericHost.dll</c>): a start that fails is one
/// line and a non-zero exit, with no stack trace.</summary>
public sealed class SampleProcessTests
{
    [Fact]
    public async Task BusyPortIsOneLineAndExitCodeOne()
    {
        using var taken = new TakenPort();

        (int exit, string output) = await RunSampleAsync($"--WsServer:Port={taken.Port}");

        Assert.Equal($"GenericHost: cannot listen on 127.0.0.1:{taken.Port}: Address already in use", output.TrimEnd());
        Assert.Equal(1, exit);
    }

    [Fact]
    public async Task ConfigurationErrorIsOneLineAndExitCodeTwo()
    {
        (int exit, string output) = await RunSampleAsync("--WsServer:Port=0", "--WsServer:Workers=-1");

        Assert.Equal("GenericHost: WsServer:Workers must be a whole number of at least 1, not '-1'.", output.TrimEnd());
        Assert.Equal(2, exit);
    }

    /// <summary>The sample as built beside this project, in the same configuration (Debug, Release).</summary>
    private static Task<(int Exit, string Output)> RunSampleAsync(params string[] args)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // tests/X/bin/CONFIG/TFM
        string root = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        string sample = Path.Combine(root, "samples", "GenericHost", "bin", output.Parent.Name, output.Name);
        Assert.True(File.Exists(Path.Combine(sample, "GenericHost.dll")), $"The sample was not built: {sample}");
        return ExternalProcess.RunAsync("dotnet", sample, [Path.Combine(sample, "GenericHost.dll"), .. args]);
    }
}
