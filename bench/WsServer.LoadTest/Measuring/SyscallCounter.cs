using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace WsServer.LoadTest.Measuring;

/// <summary>The system calls a server child makes over a measured window, counted by <c>perf stat</c> on the
/// kernel's syscall tracepoints (<c>-p PID</c>, every thread): all of them, and the receives and sends
/// among them. Needs perf (Debian: linux-perf) and the right to trace (root, or kernel.perf_event_paranoid of -1);
/// without either the tool says so once and reports no counts.</summary>
internal sealed partial class SyscallCounter
{
    private static readonly string[] Receives = ["recvfrom", "recvmsg", "read", "readv"];
    private static readonly string[] Sends = ["sendto", "sendmsg", "write", "writev"];
    private static bool s_unavailable;

    /// <summary>Off with <c>--syscalls off</c>: tracing each call costs the server a little.</summary>
    public static bool Enabled { get; set; } = true;

    private readonly Process _perf;
    private readonly string _output;

    private SyscallCounter(Process perf, string output)
    {
        _perf = perf;
        _output = output;
    }

    /// <summary>Starts counting the calls of <paramref name="pid"/>; null when perf cannot (said once).</summary>
    public static async Task<SyscallCounter?> StartAsync(int pid)
    {
        if (s_unavailable || !Enabled) return null;
        string output = Path.GetTempFileName();
        var start = new ProcessStartInfo("perf") { UseShellExecute = false, RedirectStandardError = true };
        foreach (string arg in (string[])["stat", "-x", ",", "-o", output, "-p", pid.ToString(CultureInfo.InvariantCulture), "-e", Events()])
            start.ArgumentList.Add(arg);
        Process? perf;
        try
        {
            perf = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Unavailable("perf is not installed (apt-get install linux-perf)");
        }
        if (perf is null) return Unavailable("perf did not start");
        // perf attaches to every thread of the child before it counts; give it that moment, so the window's
        // first calls are counted (the window is seconds long; a call or two more or less is within the noise).
        await Task.Delay(100);
        if (perf.HasExited) return Unavailable($"perf stat failed: {(await perf.StandardError.ReadToEndAsync()).Trim()}");
        return new SyscallCounter(perf, output);
    }

    /// <summary>Stops counting and returns the counts.</summary>
    public async Task<SyscallCounts> StopAsync()
    {
        _ = Interrupt(_perf.Id, SigInt);
        await _perf.WaitForExitAsync();
        _perf.Dispose();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in await File.ReadAllLinesAsync(_output))
        {
            string[] fields = line.Split(',');
            if (fields.Length < 3 || !long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long count)) continue;
            counts[fields[2]] = count;
        }
        File.Delete(_output);
        long Sum(string[] calls) => calls.Sum(c => counts.GetValueOrDefault($"syscalls:sys_enter_{c}"));
        return new SyscallCounts(counts.GetValueOrDefault("raw_syscalls:sys_enter"), Sum(Receives), Sum(Sends));
    }

    private static string Events() =>
        string.Join(',', Receives.Concat(Sends).Select(c => $"syscalls:sys_enter_{c}").Prepend("raw_syscalls:sys_enter"));

    private static SyscallCounter? Unavailable(string why)
    {
        s_unavailable = true;
        Console.Error.WriteLine($"warning: no syscall counts: {why}");
        return null;
    }

    private const int SigInt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Interrupt(int pid, int signal);
}

/// <summary>A server child's system calls over a window: all, and the receives and sends among them.</summary>
internal readonly record struct SyscallCounts(long All, long Receives, long Sends)
{
    /// <summary>The counts per operation; null for no operation.</summary>
    public (double All, double Receives, double Sends)? Per(long operations) =>
        operations > 0 ? ((double)All / operations, (double)Receives / operations, (double)Sends / operations) : null;
}
