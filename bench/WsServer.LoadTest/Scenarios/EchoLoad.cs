using System.Diagnostics;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Measuring;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest.Scenarios;

/// <summary>One echo load: how many connections, how many messages each keeps in flight, the frames they send
/// (round-robin; connection i starts at frame i), what they offer in the handshake, and optionally a check of
/// each connection's first replies (given the index of its first frame) and round-trip times (window 1 only).</summary>
internal sealed record EchoSpec(int Connections, int Window, FrameCycle Frames)
{
    public ClientOffer Offer { get; init; } = ClientOffer.Plain;

    public Func<int, EchoCheckTally, InflatingEchoCheck>? Check { get; init; }

    public bool RecordsLatency { get; init; }
}

/// <summary>One round of an echo load against one server: the rate, the p99 round trip (NaN unless recorded),
/// the replies checked and the extensions the server answered.</summary>
internal sealed record EchoRound(Sample Sample, double P99Microseconds, long Verified, string? Extensions);

/// <summary>Runs an <see cref="EchoSpec"/>: each connection sends its window in one write, then for every batch
/// of echoes read sends as many new frames in one write, so the client's cost per message is a share of one
/// receive and one send, and nothing is allocated or encoded per message. The connections are driven as
/// <see cref="LoadOptions.Client"/> says: by <see cref="EpollClientLoop"/>, or by an async pump each.</summary>
internal static class EchoLoad
{
    public static async Task<EchoRound> RunAsync(ServerProcess server, EchoSpec spec, LoadOptions o)
    {
        if (spec.RecordsLatency && spec.Window != 1) throw new ArgumentException("Round trips are timed with one message in flight.");
        bool epoll = o.Client == ClientDriver.Epoll;
        List<WsClient> clients = await ClientGroup.OpenAsync(server.EndPoint, spec.Connections,
            Math.Max(64 * 1024, spec.Frames.LongestFrame * 2), offer: spec.Offer, blocking: epoll);
        string? extensions = clients[0].Extensions;
        if (spec.Offer.Extensions is not null)
        {
            foreach (WsClient client in clients) ClientDeflate.CheckAnswer(server.Name, client.Extensions);
        }
        var tally = new EchoCheckTally();
        List<InflatingEchoCheck> checks = [];
        if (spec.Check is { } check)
        {
            for (int i = 0; i < clients.Count; i++)
            {
                InflatingEchoCheck c = check(i % spec.Frames.Count, tally);
                checks.Add(c);
                clients[i].Observe(c);
            }
        }
        var state = new LoadState(spec.RecordsLatency ? new LatencyHistogram() : null);
        TimeSpan timeout = o.Warmup + o.Duration + TimeSpan.FromSeconds(30);
        Task load = epoll ? EpollClientLoop.Start(clients, spec.Frames, spec.Window, state, timeout)
            : PumpAllAsync(clients, spec, state, timeout);

        await Task.Delay(o.Warmup);
        UsageMeter meter = await UsageMeter.StartAsync(server);
        long before = Volatile.Read(ref state.Received);
        state.Recording = true;
        await Task.Delay(o.Duration);
        state.Recording = false;
        long after = Volatile.Read(ref state.Received);
        Usage usage = await meter.StopAsync();
        state.Stopping = true;
        await load;
        await ClientGroup.CloseAsync(clients);
        foreach (InflatingEchoCheck c in checks) c.Dispose();
        if (tally.Failure is { } failure) throw new InvalidOperationException($"{server.Name}: {failure}.");
        long operations = after - before;
        return new EchoRound(new Sample(operations / usage.Elapsed.TotalSeconds, usage, operations),
            state.Latency?.Percentile(0.99) ?? double.NaN, tally.Verified, extensions);
    }

    /// <summary>The async driver (<c>--client async</c>): one pump per connection, connection i starting at frame i.</summary>
    private static async Task PumpAllAsync(List<WsClient> clients, EchoSpec spec, LoadState state, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await Task.WhenAll(clients.Select((c, i) => PumpAsync(c, spec, state, i % spec.Frames.Count, deadline.Token)));
    }

    private static async Task PumpAsync(WsClient client, EchoSpec spec, LoadState state, int next, CancellationToken ct)
    {
        FrameCycle frames = spec.Frames;
        int window = spec.Window;
        try
        {
            long sentAt = Stopwatch.GetTimestamp();
            await client.SendAsync(frames.Take(ref next, window), ct);
            int outstanding = window;
            while (outstanding > 0)
            {
                int echoed = await client.ReceiveMessagesAsync(ct);
                if (echoed < 0) return;
                if (echoed == 0) continue;
                if (state.Recording) state.Latency?.Record(Stopwatch.GetTimestamp() - sentAt);
                Interlocked.Add(ref state.Received, echoed);
                outstanding -= echoed;
                if (state.Stopping) continue;
                sentAt = Stopwatch.GetTimestamp();
                await client.SendAsync(frames.Take(ref next, echoed), ct);
                outstanding += echoed;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"  echo client ended early: {ex.Message}");
        }
    }
}
