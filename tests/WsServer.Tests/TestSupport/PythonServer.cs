using System.Diagnostics;
using System.Globalization;
using WsServer.Tests.Interop;

namespace WsServer.Tests.TestSupport;

/// <summary>A server this project did not write: a Python <c>websockets</c> script run by Debian's
/// /usr/bin/python3, which prints <c>PORT n</c> once it listens. Disposing closes its stdin (it stops) and
/// kills it if it is still running.</summary>
public sealed class PythonServer : IDisposable
{
    private readonly Process _process;

    private PythonServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri Uri(string path = "/") => new($"ws://127.0.0.1:{Port}{path}");

    public static async Task<PythonServer> StartAsync(string script, params string[] arguments)
    {
        PythonWebSocketsTests.EnsurePythonWebSockets();
        var start = new ProcessStartInfo(PythonWebSocketsTests.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interop", script));
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        Process process = Process.Start(start)!;
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync(Timeouts.Token());
            if (line is null || !line.StartsWith("PORT ", StringComparison.Ordinal))
                Assert.Fail($"{script} did not start: {line}\n{await process.StandardError.ReadToEndAsync(Timeouts.Token())}");
            return new PythonServer(process, int.Parse(line["PORT ".Length..], CultureInfo.InvariantCulture));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
        _process.Dispose();
    }
}
