using System.Diagnostics;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Servers;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Scenarios;

/// <summary>Upgrades per second: C workers each loop on connect, handshake, one echo, closing handshake.</summary>
internal static class UpgradeScenario
{
    public static async Task RunAsync(ServerPair pair, LoadOptions o, Report report)
    {
        Row row = await pair.InterleaveAsync($"upgrades, {o.UpgradeConcurrency} at a time", o.Rounds, s => OnceAsync(s, o));
        report.Table("Upgrades (connect + handshake + one 16 B echo + close)", "upgrades/s", higherIsBetter: true, [row]);
    }

    private static async Task<Sample> OnceAsync(ServerProcess server, LoadOptions o)
    {
        byte[] frame = WsClient.Encode(Opcode.Binary, new byte[16]);
        var state = new State();
        using var deadline = new CancellationTokenSource(o.Warmup + o.Duration + TimeSpan.FromSeconds(30));
        Task[] workers = [.. Enumerable.Range(0, o.UpgradeConcurrency).Select(_ => WorkerAsync(server, frame, state, deadline.Token))];

        await Task.Delay(o.Warmup);
        long start = Stopwatch.GetTimestamp();
        long before = Volatile.Read(ref state.Completed);
        ServerStats s0 = await server.StatsAsync();
        await Task.Delay(o.Duration);
        long after = Volatile.Read(ref state.Completed);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        ServerStats s1 = await server.StatsAsync();
        state.Stopping = true;
        await Task.WhenAll(workers);
        if (state.Failed > 0) Console.Error.WriteLine($"  {state.Failed} upgrades failed: {state.LastError}");
        return new Sample((after - before) / seconds, s1 - s0, after - before);
    }

    private sealed class State
    {
        public long Completed;
        public long Failed;
        public string? LastError;
        public volatile bool Stopping;
    }

    private static async Task WorkerAsync(ServerProcess server, byte[] frame, State state, CancellationToken ct)
    {
        while (!state.Stopping && !ct.IsCancellationRequested)
        {
            try
            {
                using WsClient client = await WsClient.ConnectAsync(server.EndPoint, 1024, ct);
                await client.SendAsync(frame, ct);
                int echoed = 0;
                while (echoed == 0) echoed = await client.ReceiveMessagesAsync(ct);
                if (echoed < 0) throw new IOException("closed before the echo");
                await client.CloseAsync(TimeSpan.FromSeconds(5));
                if (!client.CloseReceived) throw new IOException("no close frame from the server");
                Interlocked.Increment(ref state.Completed);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
            {
                Interlocked.Increment(ref state.Failed);
                state.LastError = ex.Message;
            }
        }
    }
}
