using System.Diagnostics;
using System.Text.RegularExpressions;

namespace WsServer.Host.Tests.TestSupport;

/// <summary>
/// The wsserver program running as a child process (<c>dotnet WsServer.Host.dll ARGS</c>), its output
/// collected line by line. Every wait is bounded by <see cref="Timeout"/> and fails the test when it
/// passes; dispose kills the process if it is still running.
/// </summary>
internal sealed partial class HostProcess : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly object _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private TaskCompletionSource _lineArrived = NewSignal();
    private bool _stdoutEnded;

    private HostProcess(Process process) => _process = process;

    /// <summary>The program's dll, copied next to this test assembly by the project reference.</summary>
    public static string ProgramPath { get; } = Path.Combine(AppContext.BaseDirectory, "WsServer.Host.dll");

    /// <summary>This test assembly, which holds the test handlers.</summary>
    public static string TestAssemblyPath { get; } = typeof(HostProcess).Assembly.Location;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Stdout { get { lock (_gate) return [.. _stdout]; } }

    public IReadOnlyList<string> Stderr { get { lock (_gate) return [.. _stderr]; } }

    public static HostProcess Start(params string[] args) => StartUnder([], args);

    /// <summary>Starts the program through a launcher (<c>prlimit --nofile=256</c>): the launcher's
    /// command line, then <c>dotnet WsServer.Host.dll ARGS</c>.</summary>
    public static HostProcess StartUnder(IReadOnlyList<string> launcher, params string[] args)
    {
        Assert.True(File.Exists(ProgramPath), $"The program was not built: {ProgramPath}");
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (launcher.Count > 0)
        {
            foreach (string arg in launcher.Skip(1)) info.ArgumentList.Add(arg);
            info.ArgumentList.Add("dotnet");
        }
        info.ArgumentList.Add(ProgramPath);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var process = new Process { StartInfo = info };
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) => host.Add(host._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => host.Add(host._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Starts the program on loopback with a free port and waits for its "listening" line;
    /// returns the process and the address it serves.</summary>
    public static Task<(HostProcess Host, Uri Uri)> StartServingAsync(params string[] args) => StartServingUnderAsync([], args);

    /// <summary>As <see cref="StartServingAsync"/>, through a launcher (see <see cref="StartUnder"/>).</summary>
    public static async Task<(HostProcess Host, Uri Uri)> StartServingUnderAsync(IReadOnlyList<string> launcher, params string[] args)
    {
        HostProcess host = StartUnder(launcher, ["--address", "127.0.0.1", "--port", "0", .. args]);
        try
        {
            string banner = await host.WaitForStartLineAsync();
            Match match = ListeningUri().Match(banner);
            Assert.True(match.Success, $"No address in: {banner}");
            return (host, new Uri(match.Value));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the start line, <c>wsserver VERSION listening on ...</c>, returning it.</summary>
    public Task<string> WaitForStartLineAsync() => WaitForStdoutAsync(l => l.StartsWith("wsserver ", StringComparison.Ordinal));

    /// <summary>Waits for a line on stdout that matches, returning it.</summary>
    public async Task<string> WaitForStdoutAsync(Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            Task arrived;
            lock (_gate)
            {
                string? line = _stdout.Find(l => match(l));
                if (line is not null) return line;
                if (_stdoutEnded) Assert.Fail($"The program ended its output without such a line. Stdout:\n{string.Join('\n', _stdout)}\nStderr:\n{string.Join('\n', _stderr)}");
                arrived = _lineArrived.Task;
            }
            try
            {
                await arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No such line on stdout within {Timeout}. Stdout:\n{string.Join('\n', Stdout)}\nStderr:\n{string.Join('\n', Stderr)}");
            }
        }
    }

    /// <summary>Waits for the program to exit and its output to be read; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The program did not exit within {Timeout}. Stdout:\n{string.Join('\n', Stdout)}");
        }
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>Writes a line to the program's standard input, as a person typing it.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).WaitAsync(Timeout);
        await _process.StandardInput.FlushAsync().WaitAsync(Timeout);
    }

    /// <summary>Closes the program's standard input: end of file, as Ctrl+D at a terminal.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends SIGTERM, as a service manager or <c>docker stop</c> would.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/kill", ["-TERM", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        Assert.True(kill.WaitForExit(Timeout), "kill did not finish");
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        _process.Dispose();
    }

    private void Add(List<string> lines, string? line)
    {
        TaskCompletionSource arrived;
        lock (_gate)
        {
            if (line is not null) lines.Add(line);
            else if (lines == _stdout) _stdoutEnded = true;
            arrived = _lineArrived;
            _lineArrived = NewSignal();
        }
        arrived.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [GeneratedRegex(@"wss?://\S+/")]
    private static partial Regex ListeningUri();
}
