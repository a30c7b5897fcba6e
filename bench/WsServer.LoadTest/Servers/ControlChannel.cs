using System.Diagnostics;
using System.Globalization;

namespace WsServer.LoadTest.Servers;

/// <summary>The child side of the parent's control channel: the child prints <c>ready PORT</c> on
/// stdout, then answers one line per command read from stdin (<c>stats</c>, <c>gc</c>, <c>flood</c>, <c>quit</c>).
/// Logs go to stderr, so stdout carries nothing else.</summary>
internal static class ControlChannel
{
    /// <summary>Announces the port and serves commands until <c>quit</c> or the end of stdin.</summary>
    public static async Task ServeAsync(int port)
    {
        Console.Out.WriteLine($"ready {port}");
        Console.Out.Flush();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            switch (line.Trim())
            {
                case "stats":
                    Console.Out.WriteLine(Stats());
                    break;
                case "gc":
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    Console.Out.WriteLine(Stats());
                    break;
                case "flood":
                    // What the flood routes have done: slow-handler messages finished, firehose bytes sent.
                    Console.Out.WriteLine(string.Join(' ', "flood", FloodRoutes.SlowMessages.ToString(CultureInfo.InvariantCulture),
                        FloodRoutes.FirehoseBytes.ToString(CultureInfo.InvariantCulture)));
                    break;
                case "quit":
                    return;
                default:
                    Console.Out.WriteLine("error unknown command");
                    break;
            }
            Console.Out.Flush();
        }
    }

    /// <summary>One line: gen0 gen1 gen2 allocated-bytes heap-bytes cpu-ms gc-committed-bytes.</summary>
    private static string Stats() => string.Join(' ',
        "stats",
        GC.CollectionCount(0).ToString(CultureInfo.InvariantCulture),
        GC.CollectionCount(1).ToString(CultureInfo.InvariantCulture),
        GC.CollectionCount(2).ToString(CultureInfo.InvariantCulture),
        GC.GetTotalAllocatedBytes(precise: false).ToString(CultureInfo.InvariantCulture),
        GC.GetTotalMemory(forceFullCollection: false).ToString(CultureInfo.InvariantCulture),
        ((long)Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        GC.GetGCMemoryInfo().TotalCommittedBytes.ToString(CultureInfo.InvariantCulture));
}
