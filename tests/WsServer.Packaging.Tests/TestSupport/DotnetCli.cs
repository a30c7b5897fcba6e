using System.Diagnostics;
using System.Text;

namespace WsServer.Packaging.Tests.TestSupport;

/// <summary>Runs the <c>dotnet</c> CLI (or a program it installed) as a child process, its output
/// collected; every run is bounded by <see cref="Timeout"/>, after which it is killed and the test fails.</summary>
internal static class DotnetCli
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

    /// <summary>The dotnet installation running these tests (…/shared/Microsoft.NETCore.App/VERSION/ up three).</summary>
    public static string DotnetRoot { get; } =
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));

    public static string Dotnet { get; } = Path.Combine(DotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");

    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args,
        string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string arg in args) info.ArgumentList.Add(arg);
        // The test host may run under MSBuild's environment (dotnet test); a nested build must not inherit it.
        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_ROOT"] = DotnetRoot;
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        using var process = new Process { StartInfo = info };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', info.ArgumentList)} did not finish within {Timeout}:\n{output}");
        }
        process.WaitForExit(); // drains the redirected output
        lock (output) return (process.ExitCode, output.ToString());
    }
}
