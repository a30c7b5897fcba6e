using System.Diagnostics;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Measuring;
using WsServer.LoadTest.Servers;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Scenarios;

/// <summary>Round-trip latency: N connections, one small message in flight on each; percentiles over every
/// round trip in the measured window.</summary>
internal static class LatencyScenario
{
    private static readonly (string Name, double Quantile)[] Quantiles = [("p50", 0.50), ("p99", 0.99), ("p99.9", 0.999)];

    public static async Task RunAsync(ServerPair pair, LoadOptions o, Report report)
    {
        var rows = new List<Row>();
        foreach (int connections in o.LatencyConnections)
        {
            // One set of rounds per connection count; each round yields all three percentiles.
            var perRound = new List<(ServerProcess Server, double[] Percentiles, Sample Sample)>();
            await pair.InterleaveAsync($"latency {connections} conns", o.Rounds, async s =>
            {
                (double[] p, Sample sample) = await OnceAsync(s, connections, o);
                perRound.Add((s, p, sample));
                return sample with { Value = p[0] };
            });
            for (int q = 0; q < Quantiles.Length; q++)
            {
                int index = q;
                List<Sample> Pick(ServerProcess s) =>
                    [.. perRound.Where(r => r.Server == s).Select(r => r.Sample with { Value = r.Percentiles[index] })];
                rows.Add(new Row($"{connections} conn{(connections == 1 ? "" : "s")}, {EchoScenario.Size(o.LatencySize)}, {Quantiles[q].Name}",
                    Pick(pair.WsServer), Pick(pair.Other)));
            }
        }
        report.Table("Round-trip latency", "µs", higherIsBetter: false, rows,
            $"Lower is better; the ratio is {report.Other}/WsServer, so above 1 still means WsServer is better.");
    }

    private static async Task<(double[] Percentiles, Sample Sample)> OnceAsync(ServerProcess server, int connections, LoadOptions o)
    {
        byte[] frame = WsClient.Encode(Opcode.Binary, new byte[o.LatencySize]);
        List<WsClient> clients = await ClientGroup.OpenAsync(server.EndPoint, connections, 4096);
        var window = new Window();
        using var deadline = new CancellationTokenSource(o.Warmup + o.Duration + TimeSpan.FromSeconds(30));
        Task<List<long>>[] loops = [.. clients.Select(c => PingPongAsync(c, frame, window, deadline.Token))];

        await Task.Delay(o.Warmup);
        UsageMeter meter = await UsageMeter.StartAsync(server);
        window.Recording = true;
        await Task.Delay(o.Duration);
        window.Recording = false;
        Usage usage = await meter.StopAsync();
        window.Stopping = true;
        List<long>[] all = await Task.WhenAll(loops);
        await ClientGroup.CloseAsync(clients);

        long[] ticks = [.. all.SelectMany(l => l)];
        Array.Sort(ticks);
        double[] percentiles = [.. Quantiles.Select(q => ticks.Length == 0 ? double.NaN
            : ticks[Math.Min(ticks.Length - 1, (int)(q.Quantile * ticks.Length))] * 1e6 / Stopwatch.Frequency)];
        return (percentiles, new Sample(percentiles[0], usage, ticks.Length));
    }

    private sealed class Window
    {
        public volatile bool Recording;
        public volatile bool Stopping;
    }

    private static async Task<List<long>> PingPongAsync(WsClient client, byte[] frame, Window window, CancellationToken ct)
    {
        var samples = new List<long>(1 << 16);
        try
        {
            while (!window.Stopping)
            {
                long start = Stopwatch.GetTimestamp();
                await client.SendAsync(frame, ct);
                int echoed = 0;
                while (echoed == 0) echoed = await client.ReceiveMessagesAsync(ct);
                if (echoed < 0) break;
                if (window.Recording) samples.Add(Stopwatch.GetTimestamp() - start);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"  latency client ended early: {ex.Message}");
        }
        return samples;
    }
}
