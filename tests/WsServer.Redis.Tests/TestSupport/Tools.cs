using System.Diagnostics;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>The programs the Redis tests run, found in /usr/bin or /usr/local/bin; a missing one fails
/// the test (never skips it) and says what to install.</summary>
public static class Tools
{
    private const string Install = "apt-get install -y redis-server redis-tools openssl (or run ./test.sh as root)";

    public static string RedisServer() => Find("redis-server");

    public static string RedisCli() => Find("redis-cli");

    public static string OpenSsl() => Find("openssl");

    /// <summary>Runs a program to its end (bounded by <see cref="Timeouts.Default"/>) and returns its
    /// standard output; a non-zero exit throws with its standard error.</summary>
    public static async Task<string> RunAsync(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        string command = $"{Path.GetFileName(executable)} {string.Join(' ', start.ArgumentList)}";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{command} did not start");
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        // Both pipes are read while it runs: one left full would block the program.
        Task<string> output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{command} exited with {process.ExitCode}: {await error}{await output}");
            return await output;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {Timeouts.Default}");
        }
    }

    private static string Find(string name) =>
        new[] { $"/usr/bin/{name}", $"/usr/local/bin/{name}" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not installed; the Redis tests need it: {Install}");
}
