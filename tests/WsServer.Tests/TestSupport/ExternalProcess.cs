using System.Diagnostics;

namespace WsServer.Tests.TestSupport;

/// <summary>Runs a program this project did not write (python3, node, chromium, redis-cli, openssl) to
/// completion, bounded. Shared by the test projects (linked), so it depends on nothing else of theirs.</summary>
public static class ExternalProcess
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="fileName"/> and returns its exit code and its stdout then stderr.
    /// Killed (with its children) when the bound (20 s) passes.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string fileName, string? workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var bound = new CancellationTokenSource(Bound);
            await process.WaitForExitAsync(bound.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
