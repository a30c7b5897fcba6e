using WsServer.LoadTest.Client;
using WsServer.LoadTest.Measuring;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest.Scenarios;

/// <summary>Memory per idle connection: fresh server children (the same pair as the other scenarios: Kestrel or
/// the <c>--baseline</c> build); N/10 connections are opened and closed, twice (the server's one-time costs), then
/// after a full GC the server's VmRSS (and managed heap) is read, N connections are opened and left idle, and
/// after another full GC it is read again; the difference divided by N. Beside VmRSS and the heap, the memory the
/// GC keeps committed (<see cref="GCMemoryInfo.TotalCommittedBytes"/>): what of the RSS is the GC's, free space included.</summary>
internal static class IdleScenario
{
    public static async Task RunAsync(LoadOptions o, Report report)
    {
        var readings = (Ws: new List<IdleReading>(), Other: new List<IdleReading>());
        int opened = 0;
        for (int round = 0; round < o.IdleRounds; round++)
        {
            using ServerPair pair = await ServerPair.StartAsync(o);
            ServerProcess[] order = round % 2 == 0 ? [pair.WsServer, pair.Other] : [pair.Other, pair.WsServer];
            foreach (ServerProcess server in order)
            {
                IdleReading reading = await OnceAsync(server, o);
                opened = reading.Opened;
                (server == pair.WsServer ? readings.Ws : readings.Other).Add(reading);
            }
        }
        Row Figure(string name, Func<IdleReading, Sample> figure) =>
            new(name, [.. readings.Ws.Select(figure)], [.. readings.Other.Select(figure)]);
        report.Table($"Memory per idle connection ({opened} connections)", "KiB per connection", higherIsBetter: false,
            [Figure("VmRSS delta / N", r => r.Rss), Figure("GC committed delta / N", r => r.GcCommitted),
                Figure("managed heap delta / N", r => r.Heap)],
            $"Lower is better; the ratio is {report.Other}/WsServer. Both after a forced full compacting GC in the server. "
            + "alloc/op here is bytes allocated per connection opened.");
    }

    public static async Task<IdleReading> OnceAsync(ServerProcess server, LoadOptions o)
    {
        // A fresh server spends memory once on its first connections (code compiled, pools and the native
        // allocator's arenas grown): opened and closed before the first reading, so it is not counted per connection.
        // Twice: with dynamic PGO a hot method is compiled twice on its way up (instrumented, then optimized), and
        // after one round the second compile, and the JIT's memory for it, fell inside the measured window.
        int warm = Math.Max(1, o.IdleConnections / 10);
        for (int round = 0; round < 2; round++)
        {
            foreach (WsClient client in await ClientGroup.OpenAsync(server.EndPoint, warm, 1024, concurrency: 64)) client.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        UsageMeter meter = await UsageMeter.StartAsync(server, collect: true);
        List<WsClient> clients = await ClientGroup.OpenAsync(server.EndPoint, o.IdleConnections, 1024, concurrency: 64);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Usage usage = await meter.StopAsync(collect: true);
            ServerStats d = usage.Server;
            int n = clients.Count;
            var reading = new IdleReading(new Sample(d.RssKiB / (double)n, usage, n), new Sample(d.HeapBytes / 1024.0 / n, usage, n),
                new Sample(d.GcCommittedBytes / 1024.0 / n, usage, n), n);
            Console.Error.WriteLine($"  idle {server.Name}: {reading.Rss.Value:0.00} KiB RSS, {reading.GcCommitted.Value:0.00} KiB "
                + $"GC committed, {reading.Heap.Value:0.00} KiB heap per connection");
            if (o.IdleHold > 0)
            {
                Console.Error.WriteLine($"  holding {n} idle connections to {server.Name} (pid {server.Pid}) for {o.IdleHold} s");
                await Task.Delay(TimeSpan.FromSeconds(o.IdleHold));
            }
            return reading;
        }
        finally
        {
            foreach (WsClient client in clients) client.Dispose();
        }
    }
}

/// <summary>One idle reading, per connection: VmRSS, the GC's committed memory and the managed heap (KiB).</summary>
internal readonly record struct IdleReading(Sample Rss, Sample Heap, Sample GcCommitted, int Opened);
