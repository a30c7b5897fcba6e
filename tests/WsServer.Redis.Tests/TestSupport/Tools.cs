namespace WsServer.Redis.Tests.TestSupport;

/// <summary>The programs the Redis tests run, found in /usr/bin or /usr/local/bin; a missing one fails
/// the test (never skips it) and says what to install.</summary>
public static class Tools
{
    private const string Install = "apt-get install -y redis-server redis-tools openssl (or run ./test.sh as root)";

    public static string RedisServer() => Find("redis-server");

    public static string RedisCli() => Find("redis-cli");

    public static string OpenSsl() => Find("openssl");

    /// <summary>Runs a program to its end (bounded) and returns what it printed; a non-zero exit throws
    /// with that output.</summary>
    public static async Task<string> RunAsync(string executable, IEnumerable<string> arguments)
    {
        string[] args = [.. arguments];
        (int exit, string output) = await WsServer.Tests.TestSupport.ExternalProcess.RunAsync(executable, null, args);
        return exit == 0 ? output
            : throw new InvalidOperationException($"{Path.GetFileName(executable)} {string.Join(' ', args)} exited with {exit}: {output}");
    }

    private static string Find(string name) =>
        new[] { $"/usr/bin/{name}", $"/usr/local/bin/{name}" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not installed; the Redis tests need it: {Install}");
}
