using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Servers;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Scenarios;

/// <summary>Memory under hostile load: three floods, each for <c>--flood-seconds</c> against a freshly
/// started server child (WsServer, then Kestrel), recording the child's peak resident set (VmHWM) and its
/// VmRSS at the end of the flood, with the clients still connected:
/// <list type="number">
/// <item><b>slow handler</b>: N clients send 1 KiB messages as fast as their sockets take them (no window)
/// to <see cref="FloodRoutes.Slow"/>, whose handler takes about 1 ms per message;</item>
/// <item><b>never reads</b>: N clients open <see cref="FloodRoutes.Firehose"/>, where the server sends
/// 16 KiB messages as fast as it can, and never read;</item>
/// <item><b>ping flood</b>: N clients send 125-byte pings as fast as they can and never read the pongs,
/// each until it has sent <c>--flood-ping-mb</c> or a write has not completed for 2 s.</item>
/// </list>
/// The peak is compared with <c>--flood-rss-limit-mb</c> (PASS/FAIL in the table; the exit code stays 0).
/// A flood is cut short if the child's RSS passes a safety cap (5 × the limit, at least 1 GiB), so a
/// server that does not bound its memory cannot take the machine down.</summary>
internal static class FloodScenario
{
    private const int PingPayload = 125;
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    private enum Flood
    {
        SlowHandler,
        NeverReads,
        PingFlood,
    }

    private sealed record Result(Flood Flood, string Server, long RssBeforeKiB, long PeakKiB, long EndKiB, long BytesThrough,
        double SecondHalfBytesPerSecond, string ServerSide, string Notes);

    /// <summary>What the clients of one flood did, updated from many tasks.</summary>
    private sealed class Counters
    {
        public long Bytes;
        public int Stalled;
        public int Done;
        public int Failed;
        public string? LastError;
    }

    public static async Task RunAsync(LoadOptions o, Report report)
    {
        var results = new List<Result>();
        foreach (Flood flood in Enum.GetValues<Flood>())
        {
            foreach ((string name, string command) in new[] { ("WsServer", "serve-wsserver"), ("Kestrel", "serve-kestrel") })
            {
                using ServerProcess server = await ServerProcess.StartAsync(name, command, o);
                Result result = await OnceAsync(flood, server, o);
                results.Add(result);
                Console.Error.WriteLine($"  flood {Name(flood)} {name}: peak {MiB(result.PeakKiB)} MiB, end {MiB(result.EndKiB)} MiB, "
                    + $"{MiB(result.BytesThrough / 1024)} MiB through; {result.Notes}");
            }
        }

        long limitKiB = o.FloodRssLimitMb * 1024L;
        report.PlainTable($"Flood: memory under hostile load ({o.FloodConnections} clients, {o.FloodSeconds:0.#} s per flood)",
            $"Each flood runs {o.FloodSeconds:0.#} s against a freshly started child, on 127.0.0.1, with every server "
            + "setting at its default (WsServer: 1 MiB send queue limit per connection, slow consumers wait). "
            + "Peak RSS is the child's VmHWM from /proc (it includes start-up), RSS at end is VmRSS when the flood "
            + "stops, with the clients still connected; MiB = 2^20 bytes. Bytes through: what the clients' sockets "
            + "took (slow handler, ping flood; up to a few MiB of it may still sit in socket buffers) or what "
            + "reached the clients unread (never reads); the 2nd-half rate is the same over the flood's second half "
            + "only, once socket buffers are full. Server side: messages the slow handler finished, or payload bytes "
            + "the firehose's awaited sends accepted. Kernel socket buffers are not part of the server's RSS. "
            + "The comparison is always Kestrel, also with --baseline (an older build need not serve the flood routes).",
            ["flood", "server", "RSS before (MiB)", "peak RSS (MiB)", "RSS at end (MiB)", "bytes through (MiB)",
                "through, 2nd half (MiB/s)", "server side",
                $"peak ≤ {o.FloodRssLimitMb} MiB", "notes"],
            results.Select(r => (IReadOnlyList<string>)[Describe(r.Flood, o), r.Server, MiB(r.RssBeforeKiB), MiB(r.PeakKiB),
                MiB(r.EndKiB), MiB(r.BytesThrough / 1024),
                double.IsNaN(r.SecondHalfBytesPerSecond) ? "–" : (r.SecondHalfBytesPerSecond / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture),
                r.ServerSide, r.PeakKiB <= limitKiB ? "**PASS**" : "**FAIL**", r.Notes]),
            "llrrrrrlrl");
    }

    private static string Name(Flood flood) => flood switch
    {
        Flood.SlowHandler => "slow handler",
        Flood.NeverReads => "never reads",
        _ => "ping flood",
    };

    private static string Describe(Flood flood, LoadOptions o) => flood switch
    {
        Flood.SlowHandler => "slow handler: 1 KiB msgs, no window, handler 1 ms/msg",
        Flood.NeverReads => "never reads: server sends 16 KiB msgs, clients never read",
        _ => $"ping flood: 125 B pings (≤ {o.FloodPingMb} MiB/client), pongs never read",
    };

    private static string MiB(long kib) => (kib / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    private static async Task<Result> OnceAsync(Flood flood, ServerProcess server, LoadOptions o)
    {
        long rssBefore = server.ReadRssKiB();
        long capKiB = Math.Max(1024L, 5L * o.FloodRssLimitMb) * 1024;
        string path = flood switch
        {
            Flood.SlowHandler => FloodRoutes.Slow,
            Flood.NeverReads => FloodRoutes.Firehose,
            _ => "/",
        };
        // Small client buffers: the clients read nothing after the handshake.
        List<WsClient> clients = await ClientGroup.OpenAsync(server.EndPoint, o.FloodConnections, 4096, offer: new ClientOffer(path));
        var counters = new Counters();
        using var stop = new CancellationTokenSource();
        Task[] floods = flood switch
        {
            Flood.SlowHandler => [.. clients.Select(c => SendAsync(c, SlowBatch(), long.MaxValue, stallStops: false, counters, stop.Token))],
            Flood.PingFlood => [.. clients.Select(c => SendAsync(c, PingBatch(), o.FloodPingMb * 1024L * 1024, stallStops: true, counters, stop.Token))],
            _ => [],
        };

        // The flood runs its fixed time, however soon the clients are done or stalled: what the server
        // holds for them meanwhile is the point. It is cut short only past the safety cap or if the child died.
        string? cutShort = null;
        long Through() => flood == Flood.NeverReads ? clients.Sum(Unread) : Volatile.Read(ref counters.Bytes);
        (long Bytes, TimeSpan At)? half = null;
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(o.FloodSeconds);
        while (clock.Elapsed < duration)
        {
            await Task.Delay(SampleInterval);
            if (half is null && clock.Elapsed >= duration / 2) half = (Through(), clock.Elapsed);
            long rss;
            try
            {
                rss = server.ReadRssKiB();
            }
            catch (IOException)
            {
                cutShort = $"child exited after {clock.Elapsed.TotalSeconds:0.0} s";
                break;
            }
            if (rss > capKiB)
            {
                cutShort = $"cut short at {clock.Elapsed.TotalSeconds:0.0} s: RSS over the {capKiB / 1024} MiB safety cap";
                break;
            }
        }

        long peak = 0, end = 0;
        long through = Through();
        TimeSpan elapsed = clock.Elapsed;
        double secondHalfRate = half is { } h && elapsed > h.At ? (through - h.Bytes) / (elapsed - h.At).TotalSeconds : double.NaN;
        try
        {
            peak = server.ReadPeakRssKiB();
            end = server.ReadRssKiB();
        }
        catch (IOException)
        {
            cutShort ??= "child exited";
        }

        string serverSide = "–";
        if (flood != Flood.PingFlood && cutShort is null)
        {
            (long slow, long firehose) = await server.FloodCountsAsync();
            serverSide = flood == Flood.SlowHandler
                ? $"{slow.ToString("N0", CultureInfo.InvariantCulture)} msgs handled ({(slow / elapsed.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture)}/s)"
                : $"{MiB(firehose / 1024)} MiB accepted by SendAsync";
        }

        stop.Cancel();
        try
        {
            await Task.WhenAll(floods).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine("  flood clients did not stop within 10 s; their sockets are closed now");
        }
        // Hostile clients leave without the closing handshake.
        foreach (WsClient client in clients) client.Dispose();

        var notes = new List<string>();
        if (clients.Count < o.FloodConnections) notes.Add($"{clients.Count} of {o.FloodConnections} connected");
        if (flood == Flood.PingFlood)
            notes.Add($"{counters.Stalled} stalled (no write progress for {StallTimeout.TotalSeconds:0} s), {counters.Done} sent "
                + $"their budget, {clients.Count - counters.Stalled - counters.Done - counters.Failed} still sending at the end");
        if (counters.Failed > 0) notes.Add($"{counters.Failed} ended by the server: {counters.LastError}");
        if (cutShort is not null) notes.Add(cutShort);
        return new Result(flood, server.Name, rssBefore, peak, end, through, secondHalfRate, serverSide, notes.Count == 0 ? "" : string.Join("; ", notes));
    }

    private static long Unread(WsClient client)
    {
        try
        {
            return client.Unread;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>16 binary messages of 1 KiB, masked, back to back.</summary>
    private static byte[] SlowBatch()
    {
        byte[] payload = new byte[1024];
        Random.Shared.NextBytes(payload);
        return Repeat(WsClient.Encode(Opcode.Binary, payload), 16);
    }

    /// <summary>256 pings of 125 bytes, masked, back to back (about 33 KiB).</summary>
    private static byte[] PingBatch()
    {
        byte[] payload = new byte[PingPayload];
        Random.Shared.NextBytes(payload);
        return Repeat(WsClient.Encode(Opcode.Ping, payload), 256);
    }

    private static byte[] Repeat(byte[] frame, int times)
    {
        byte[] batch = new byte[frame.Length * times];
        for (int i = 0; i < times; i++) frame.CopyTo(batch, i * frame.Length);
        return batch;
    }

    /// <summary>Sends <paramref name="batch"/> again and again, never reading, until <paramref name="stop"/>,
    /// until <paramref name="budget"/> bytes are sent, or (with <paramref name="stallStops"/>) until one
    /// write has made no progress for <see cref="StallTimeout"/>. The connection stays open either way.</summary>
    private static async Task SendAsync(WsClient client, byte[] batch, long budget, bool stallStops, Counters counters,
        CancellationToken stop)
    {
        long sent = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (sent >= budget)
                {
                    Interlocked.Increment(ref counters.Done);
                    return;
                }
                if (stallStops)
                {
                    using var write = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    write.CancelAfter(StallTimeout);
                    try
                    {
                        await client.SendAsync(batch, write.Token);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref counters.Stalled);
                        return;
                    }
                }
                else
                {
                    await client.SendAsync(batch, stop);
                }
                sent += batch.Length;
                Interlocked.Add(ref counters.Bytes, batch.Length);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The flood's time is up.
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            Interlocked.Increment(ref counters.Failed);
            counters.LastError = ex.Message;
        }
    }
}
