using System.Globalization;

namespace WsServer.Hosting;

/// <summary>
/// How many sockets the process's file descriptor limit (the soft <c>RLIMIT_NOFILE</c>) leaves room
/// for. Past the limit, <c>accept</c> fails with EMFILE, and so does whatever else needs a descriptor
/// then: the runtime itself, loading an assembly or starting a thread, aborts the process ("Out of
/// memory."). So the server stops accepting below the limit and lets connections wait in the backlog.
/// Linux only (read from <c>/proc/self/limits</c>, which needs no interop and is the same on every
/// architecture); elsewhere there is no cap.
/// </summary>
internal static class DescriptorLimit
{
    private const string OpenFiles = "Max open files";

    /// <summary>The cap for this process now: null when there is no limit or it cannot be read.</summary>
    public static int? SocketCap()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            if (ParseSoftLimit(File.ReadAllText("/proc/self/limits")) is not { } limit) return null;
            return SocketCap(limit, Directory.GetFiles("/proc/self/fd").Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The sockets that fit under <paramref name="limit"/> beside the <paramref name="open"/>
    /// descriptors already in use, leaving <see cref="Headroom"/>; at least 1.</summary>
    public static int SocketCap(long limit, int open) =>
        (int)Math.Clamp(limit - open - Headroom(limit), 1, int.MaxValue);

    /// <summary>
    /// Descriptors kept free for what opens after the server starts: 64, or an eighth of the limit when
    /// that is more. The runtime keeps every loaded assembly open (two descriptors each: ~90 in use when
    /// the wsserver program starts, all counted in <c>open</c>), and loads more on first use (TLS,
    /// compression, a handler's dependencies); a certificate reload, a log file, a handler's own files
    /// and outgoing connections (Redis) need some too. 64 covers a few dozen of those at a small limit
    /// (256); at a large one, an application beside the server grows with it, hence the eighth.
    /// </summary>
    public static long Headroom(long limit) => Math.Max(64, limit / 8);

    /// <summary>The soft limit from the text of <c>/proc/self/limits</c>; null when unlimited or absent.</summary>
    public static long? ParseSoftLimit(string limits)
    {
        foreach (string line in limits.Split('\n'))
        {
            if (!line.StartsWith(OpenFiles, StringComparison.Ordinal)) continue;
            string soft = line[OpenFiles.Length..].TrimStart().Split(' ', 2)[0];
            return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;
        }
        return null;
    }
}
