using WsServer.Packaging.Tests.TestSupport;

namespace WsServer.Packaging.Tests;

/// <summary>The wsserver .NET tool installed from the packed folder alone, as the README says
/// (<c>dotnet tool install --tool-path DIR --add-source ./artifacts WsServer.Tool</c>), then run.</summary>
[Collection(PackagesCollection.Name)]
public sealed class ToolInstallTests(PackedPackages packages)
{
    [Fact]
    public async Task ToolInstalledFromTheLocalFolderRunsAsWsserver()
    {
        string work = Path.Combine(packages.Root, "install-" + Guid.NewGuid().ToString("N"));
        string tools = Path.Combine(work, "tools");
        Directory.CreateDirectory(work);
        // Offline for our own packages: the packed folder is the only source, and a fresh global
        // packages folder keeps an older build of the same version (cached) from being installed.
        string config = Path.Combine(work, "NuGet.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="artifacts" value="{packages.Feed}" />
              </packageSources>
            </configuration>
            """);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };

        (int installed, string installOutput) = await DotnetCli.RunAsync(DotnetCli.Dotnet,
            ["tool", "install", "--tool-path", tools, "--configfile", config, "--add-source", packages.Feed, "WsServer.Tool"],
            work, environment);
        Assert.True(installed == 0, $"dotnet tool install failed ({installed}):\n{installOutput}");

        string wsserver = Path.Combine(tools, OperatingSystem.IsWindows() ? "wsserver.exe" : "wsserver");
        (int helped, string help) = await DotnetCli.RunAsync(wsserver, ["--help"], work);
        (int versioned, string version) = await DotnetCli.RunAsync(wsserver, ["--version"], work);

        Assert.True(helped == 0, $"wsserver --help exited with {helped}:\n{help}");
        Assert.Contains("Usage:", help, StringComparison.Ordinal);
        Assert.Contains("wsserver [command] [options]", help, StringComparison.Ordinal);
        Assert.Contains("connect", help, StringComparison.Ordinal);
        Assert.Contains("--port", help, StringComparison.Ordinal);
        Assert.Equal(0, versioned);
        Assert.Equal(PackedPackages.Version, version.Trim());
    }
}
