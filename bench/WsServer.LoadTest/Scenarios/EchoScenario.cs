using System.Diagnostics;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Servers;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Scenarios;

/// <summary>Echo throughput: N connections, each keeping W binary messages in flight (a new one is sent
/// for each echo received, in batches), for each message size.</summary>
internal static class EchoScenario
{
    public static async Task RunAsync(ServerPair pair, LoadOptions o, Report report)
    {
        var rows = new List<(int Size, Row Row)>();
        foreach (int size in o.Sizes)
        {
            string name = $"{Size(size)} × {o.Connections} conns × window {o.Window}";
            rows.Add((size, await pair.InterleaveAsync($"echo {name}", o.Rounds, s => OnceAsync(s, size, o))));
        }
        report.Table("Echo throughput (messages)", "msgs/s", higherIsBetter: true, rows.Select(r => r.Row));
        report.Table("Echo throughput (bytes, one direction)", "MB/s", higherIsBetter: true, rows.Select(r => r.Row with
        {
            WsServer = [.. r.Row.WsServer.Select(s => s with { Value = s.Value * r.Size / 1e6 })],
            Other = [.. r.Row.Other.Select(s => s with { Value = s.Value * r.Size / 1e6 })],
        }));
    }

    public static string Size(int bytes) => bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} B";

    private static async Task<Sample> OnceAsync(ServerProcess server, int size, LoadOptions o)
    {
        byte[] payload = new byte[size];
        Random.Shared.NextBytes(payload);
        byte[] frame = WsClient.Encode(Opcode.Binary, payload);
        byte[] batch = new byte[frame.Length * o.Window];
        for (int i = 0; i < o.Window; i++) frame.CopyTo(batch, i * frame.Length);

        List<WsClient> clients = await ClientGroup.OpenAsync(server.EndPoint, o.Connections, Math.Max(64 * 1024, frame.Length * 2));
        var run = new PumpState();
        using var deadline = new CancellationTokenSource(o.Warmup + o.Duration + TimeSpan.FromSeconds(30));
        Task[] pumps = [.. clients.Select(c => PumpAsync(c, batch, frame.Length, o.Window, run, deadline.Token))];

        await Task.Delay(o.Warmup);
        long start = Stopwatch.GetTimestamp();
        long before = Volatile.Read(ref run.Received);
        ServerStats s0 = await server.StatsAsync();
        await Task.Delay(o.Duration);
        long after = Volatile.Read(ref run.Received);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        ServerStats s1 = await server.StatsAsync();
        run.Stopping = true;
        await Task.WhenAll(pumps);
        await ClientGroup.CloseAsync(clients);
        return new Sample((after - before) / seconds, s1 - s0, after - before);
    }

    private sealed class PumpState
    {
        public long Received;
        public volatile bool Stopping;
    }

    private static async Task PumpAsync(WsClient client, byte[] batch, int frameLength, int window, PumpState run,
        CancellationToken ct)
    {
        try
        {
            await client.SendAsync(batch, ct);
            int outstanding = window;
            while (outstanding > 0)
            {
                int echoed = await client.ReceiveMessagesAsync(ct);
                if (echoed < 0) return;
                if (echoed == 0) continue;
                Interlocked.Add(ref run.Received, echoed);
                outstanding -= echoed;
                if (run.Stopping) continue;
                await client.SendAsync(batch.AsMemory(0, echoed * frameLength), ct);
                outstanding += echoed;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"  echo client ended early: {ex.Message}");
        }
    }
}
