using System.Globalization;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest.Scenarios;

/// <summary>The headline loads (<c>all</c>), against Kestrel (or <c>--baseline</c>) in the same run, each with both
/// server children started afresh, in interleaved rounds, medians shown, in one table:
/// echo of 32 B with 1 and 16 in flight and of 16 KiB with 1 in flight, over 100 connections (with the p99 round
/// trip of the first); upgrades with the full close; broadcast from 1 sender to <c>--fanout-connections</c>
/// receivers (1,000); memory per idle connection (<c>--idle-connections</c>, 10,000); and echo of 1 KiB JSON-like
/// text with permessage-deflate on.</summary>
internal static class AllLoadsScenario
{
    private const int Connections = 100;
    private const int CompressedMessages = 64;
    private const int CheckedReplies = 16;

    private sealed record EchoRows(Row Rate, Row P99, IReadOnlyList<(ServerProcess Server, EchoRound Round)> Rounds);

    public static async Task RunAsync(LoadOptions o, Report report)
    {
        var rows = new List<LoadRow>();

        EchoRows small = await EchoAsync("echo 32 B, 1 in flight",
            new EchoSpec(Connections, 1, EchoScenario.BinaryFrames(32, 1)) { RecordsLatency = true }, o);
        rows.Add(new LoadRow($"echo, {Connections} connections, 1 message of 32 B in flight each (msgs/s)", small.Rate));
        rows.Add(new LoadRow("↳ the same load's p99 round trip (µs)", small.P99, HigherIsBetter: false)
        {
            ShowsCost = false,
            Figure = ("p99 round trip", "µs"),
        });

        EchoRows pipelined = await EchoAsync("echo 32 B, 16 in flight", new EchoSpec(Connections, 16, EchoScenario.BinaryFrames(32, 16)), o);
        rows.Add(new LoadRow($"echo, {Connections} connections, 16 messages of 32 B in flight each (msgs/s)", pipelined.Rate));

        EchoRows large = await EchoAsync("echo 16 KiB, 1 in flight", new EchoSpec(Connections, 1, EchoScenario.BinaryFrames(16 * 1024, 1)), o);
        rows.Add(new LoadRow($"echo, {Connections} connections, 1 message of 16 KiB in flight each (msgs/s)", large.Rate));

        rows.Add(new LoadRow($"upgrades: connect, handshake, close frames, FIN; {o.UpgradeConcurrency} at a time (upgrades/s)",
            await FreshPairAsync("upgrades", o.Rounds, o, s => UpgradeScenario.OnceAsync(s, UpgradeCycle.HandshakeAndClose, o))));

        rows.Add(new LoadRow($"broadcast, 1 sender to {N(o.FanoutConnections)} receivers, {EchoScenario.Size(o.FanoutSize)}, "
            + $"{o.FanoutWindow} in flight (deliveries/s)",
            await FreshPairAsync($"broadcast to {N(o.FanoutConnections)}", o.Rounds, o, s => FanoutScenario.OnceAsync(s, o)))
        {
            Note = "WsServer drops a broadcast to a connection whose send queue is full (by design); only deliveries count",
        });

        rows.Add(await IdleAsync(o));
        rows.Add(await CompressionAsync(o));

        report.LoadTable($"WsServer against {report.Other}, each server started afresh for each load", rows);
    }

    private static async Task<EchoRows> EchoAsync(string name, EchoSpec spec, LoadOptions o)
    {
        var rounds = new List<(ServerProcess, EchoRound)>();
        Row rate = await FreshPairAsync(name, o.Rounds, o, async s =>
        {
            EchoRound round = await EchoLoad.RunAsync(s, spec, o);
            rounds.Add((s, round));
            return round.Sample;
        });
        List<Sample> P99(IReadOnlyList<Sample> samples) =>
            [.. rounds.Where(r => IsIn(samples, r.Item2.Sample)).Select(r => r.Item2.Sample with { Value = r.Item2.P99Microseconds })];
        return new EchoRows(rate, new Row(name, P99(rate.WsServer), P99(rate.Other)) { Anchor = rate.Anchor is { } anchor ? P99(anchor) : null }, rounds);
    }

    private static async Task<LoadRow> IdleAsync(LoadOptions o)
    {
        var readings = new List<IdleReading>();
        int opened = 0;
        Row rss = await FreshPairAsync($"idle, {N(o.IdleConnections)} connections", o.IdleRounds, o, async s =>
        {
            IdleReading reading = await IdleScenario.OnceAsync(s, o);
            readings.Add(reading);
            opened = reading.Opened;
            return reading.Rss;
        });
        string Median(IReadOnlyList<Sample> samples, Func<IdleReading, Sample> figure) => Report.Median(
            readings.Where(x => IsIn(samples, x.Rss)).Select(x => figure(x).Value)).ToString("0.00", CultureInfo.InvariantCulture);
        string Heap(IReadOnlyList<Sample> samples) => Median(samples, x => x.Heap);
        string Committed(IReadOnlyList<Sample> samples) => Median(samples, x => x.GcCommitted);
        return new LoadRow($"idle, {N(o.IdleConnections)} connections: server memory per connection (KiB of VmRSS, after a full GC)",
            rss, HigherIsBetter: false)
        {
            ShowsCost = false,
            Figure = ("server memory per connection (VmRSS after a full GC)", "KiB"),
            Note = $"managed heap {Heap(rss.WsServer)} / {Heap(rss.Other)} KiB per connection, "
                + $"memory the GC keeps committed {Committed(rss.WsServer)} / {Committed(rss.Other)} KiB"
                + (opened < o.IdleConnections ? $"; only {N(opened)} connections opened" : ""),
        };
    }

    private static async Task<LoadRow> CompressionAsync(LoadOptions o)
    {
        byte[][] texts = JsonMessages.Create(CompressedMessages, 1024);
        byte[][] frames = [.. texts.Select(t => ClientDeflate.EncodeText(t))];
        var spec = new EchoSpec(Connections, 1, new FrameCycle(frames, 1))
        {
            Offer = new ClientOffer(Extensions: ClientDeflate.Offer),
            Check = (first, tally) => new InflatingEchoCheck(texts, first, CheckedReplies, tally),
        };
        EchoRows rows = await EchoAsync("echo 1 KiB JSON, permessage-deflate", spec, o);
        string Answer(Func<Row, IReadOnlyList<Sample>> side) =>
            rows.Rounds.First(r => IsIn(side(rows.Rate), r.Round.Sample)).Round.Extensions ?? "none";
        long verified = rows.Rounds.Sum(r => r.Round.Verified);
        return new LoadRow($"compression: echo of 1 KiB JSON-like text, permessage-deflate, {Connections} connections, "
            + "1 in flight each (msgs/s)", rows.Rate)
        {
            Note = $"client offers `{ClientDeflate.Offer}`; answered `{Answer(r => r.WsServer)}` / `{Answer(r => r.Other)}`"
                + (rows.Rate.Anchor is null ? "" : $" / `{Answer(r => r.Anchor!)}`") + "; "
                + $"{CompressedMessages} different messages, deflated by the client to {frames.Average(f => f.Length):0} B on average; "
                + $"the first {CheckedReplies} replies of every connection inflated and equal to what was sent ({N(verified)} in all)",
        };
    }

    /// <summary>Starts both children for this load only, runs its rounds, and stops them.</summary>
    private static async Task<Row> FreshPairAsync(string name, int rounds, LoadOptions o, Func<ServerProcess, Task<Sample>> once)
    {
        using ServerPair pair = await ServerPair.StartAsync(o);
        return await pair.InterleaveAsync(name, rounds, once);
    }

    // Which server a round's extra figures belong to: the row holds that round's very sample (records compare by value).
    private static bool IsIn(IReadOnlyList<Sample> samples, Sample sample) => samples.Any(s => ReferenceEquals(s, sample));

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
