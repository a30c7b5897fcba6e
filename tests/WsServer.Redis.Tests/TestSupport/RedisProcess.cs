using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A redis-server of the test's own, on a free loopback port, with nothing saved to disk (its
/// working directory is a temporary one, removed on dispose); it can be stopped and started again on the
/// same port, and paused. Fails (never skips) when redis-server is missing.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private const int SigCont = 18, SigStop = 19; // Linux's numbers; .NET's PosixSignal has no SIGSTOP

    private readonly string[] _arguments;
    private readonly string? _configFile;
    private readonly string _directory = Directory.CreateTempSubdirectory("wsserver-redis-").FullName;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private RedisProcess(int port, IEnumerable<string> arguments, string? configFile = null)
    {
        _configFile = configFile;
        Port = port;
        _arguments = [.. arguments];
    }

    /// <summary>The port it takes connections on (the TLS port of a TLS-only server).</summary>
    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The running process's id.</summary>
    public int Pid => _process?.Id ?? throw new InvalidOperationException("redis-server is not running");

    /// <summary>Starts redis-server on <paramref name="port"/> (a free one when null), with
    /// <paramref name="arguments"/> (<c>--directive value ...</c>) after the defaults.</summary>
    public static Task<RedisProcess> StartAsync(int? port = null, IEnumerable<string>? arguments = null)
    {
        int listening = port ?? FreePort();
        return StartWithAsync(listening, ["--port", listening.ToString(CultureInfo.InvariantCulture), .. arguments ?? []]);
    }

    /// <summary>Starts redis-server with the defaults (loopback only, nothing saved, its own directory)
    /// and then <paramref name="arguments"/>, which say where it listens (<c>--port</c>, or
    /// <c>--port 0 --tls-port</c>) and win over a default they repeat; waits until <paramref name="port"/>
    /// takes connections.</summary>
    public static async Task<RedisProcess> StartWithAsync(int port, IEnumerable<string> arguments, string? configFile = null)
    {
        var redis = new RedisProcess(port, arguments, configFile);
        try
        {
            await redis.StartAgainAsync();
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
        return redis;
    }

    /// <summary>A port that nothing listens on now.</summary>
    public static int FreePort() => FreePorts(1)[0];

    /// <summary>Distinct ports that nothing listens on now (all held at once, so none is given twice).</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }
            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (TcpListener? listener in listeners) listener?.Dispose();
        }
    }

    public static string Executable() => Tools.RedisServer();

    /// <summary>Runs redis-cli against this server and returns its output (an error reply is output too).</summary>
    public Task<string> CliAsync(params string[] arguments) =>
        Tools.RunAsync(Tools.RedisCli(), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), .. arguments]);

    /// <summary>How many clients (nodes) listen to <paramref name="channel"/>: <c>PUBSUB NUMSUB</c>.</summary>
    public async Task<long> ChannelSubscribersAsync(string channel)
    {
        string reply = await CliAsync("PUBSUB", "NUMSUB", channel);
        return long.Parse(reply.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Starts redis-server on <see cref="Port"/> and waits until it takes connections.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is not null) throw new InvalidOperationException("redis-server is running");
        var start = new ProcessStartInfo(Executable())
        {
            ArgumentList = { "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in _arguments) start.ArgumentList.Add(argument);
        // redis-server reads a configuration file only as its first argument (a Sentinel needs one).
        if (_configFile is not null) start.ArgumentList.Insert(0, _configFile);
        _output.Clear();
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (int attempt = 0; ; attempt++)
        {
            if (_process.HasExited)
            {
                // Its log says why (a bad directive, a port taken, a certificate it cannot read).
                await _process.WaitForExitAsync();
                throw new InvalidOperationException(
                    $"redis-server exited with {_process.ExitCode} on port {Port}:\n{string.Join('\n', _output)}");
            }
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

    /// <summary>Freezes the process (SIGSTOP): its connections stay open but nothing is answered.</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Lets a paused process run again (SIGCONT).</summary>
    public void Resume() => Signal(SigCont);

    public async Task StopAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        process.Kill(entireProcessTree: true); // SIGKILL ends a paused process too
        await process.WaitForExitAsync().WaitAsync(Timeouts.Default);
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 50) _output.TryDequeue(out _);
    }

    private void Signal(int signal)
    {
        if (Kill(Pid, signal) != 0)
            throw new InvalidOperationException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
