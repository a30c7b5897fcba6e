using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A redis-server of the test's own, on a free loopback port, with nothing saved to disk; it
/// can be stopped and started again on the same port. Fails (never skips) when redis-server is missing.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private Process? _process;

    private RedisProcess(int port) => Port = port;

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync(int? port = null)
    {
        var redis = new RedisProcess(port ?? FreePort());
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>A port that nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string Executable() =>
        new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            "redis-server is not installed; the Redis backplane tests need it: apt-get install -y redis-server (or run ./test.sh as root)");

    /// <summary>Starts redis-server on <see cref="Port"/> and waits until it takes connections.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is not null) throw new InvalidOperationException("redis-server is running");
        var start = new ProcessStartInfo(Executable())
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (int attempt = 0; ; attempt++)
        {
            if (_process.HasExited) throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} on port {Port}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (attempt < 500)
            {
                await Task.Delay(10);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync().WaitAsync(Timeouts.Default);
        process.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
