using WsServer.LoadTest.Client;
using WsServer.LoadTest.Measuring;
using WsServer.LoadTest.Servers;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Scenarios;

/// <summary>What each upgrade does between the handshake and the close.</summary>
internal enum UpgradeCycle
{
    /// <summary>Connect, handshake, close frames both ways, the server's FIN.</summary>
    HandshakeAndClose,

    /// <summary>The same with one 16 B echo before the close.</summary>
    WithOneEcho,
}

/// <summary>Upgrades per second: C workers each loop on connect, opening handshake, (optionally one echo,)
/// closing handshake; an upgrade counts once the client has sent its close frame, read the server's and then
/// the server's FIN (a read of 0 bytes).</summary>
internal static class UpgradeScenario
{
    public static async Task RunAsync(ServerPair pair, LoadOptions o, Report report)
    {
        Row row = await pair.InterleaveAsync($"upgrades, {o.UpgradeConcurrency} at a time", o.Rounds,
            s => OnceAsync(s, UpgradeCycle.WithOneEcho, o));
        report.Table("Upgrades (connect + handshake + one 16 B echo + close frames + FIN)", "upgrades/s", higherIsBetter: true, [row]);
    }

    public static async Task<Sample> OnceAsync(ServerProcess server, UpgradeCycle cycle, LoadOptions o)
    {
        byte[]? echo = cycle == UpgradeCycle.WithOneEcho ? WsClient.Encode(Opcode.Binary, new byte[16]) : null;
        var state = new State();
        using var deadline = new CancellationTokenSource(o.Warmup + o.Duration + TimeSpan.FromSeconds(30));
        Task[] workers = [.. Enumerable.Range(0, o.UpgradeConcurrency).Select(_ => WorkerAsync(server, echo, state, deadline.Token))];

        await Task.Delay(o.Warmup);
        UsageMeter meter = await UsageMeter.StartAsync(server);
        long before = Volatile.Read(ref state.Completed);
        await Task.Delay(o.Duration);
        long after = Volatile.Read(ref state.Completed);
        Usage usage = await meter.StopAsync();
        state.Stopping = true;
        await Task.WhenAll(workers);
        if (state.Failed > 0) Console.Error.WriteLine($"  {state.Failed} upgrades failed: {state.LastError}");
        return new Sample((after - before) / usage.Elapsed.TotalSeconds, usage, after - before);
    }

    private sealed class State
    {
        public long Completed;
        public long Failed;
        public string? LastError;
        public volatile bool Stopping;
    }

    private static async Task WorkerAsync(ServerProcess server, byte[]? echo, State state, CancellationToken ct)
    {
        while (!state.Stopping && !ct.IsCancellationRequested)
        {
            try
            {
                using WsClient client = await WsClient.ConnectAsync(server.EndPoint, 1024, ct);
                if (echo is not null)
                {
                    await client.SendAsync(echo, ct);
                    int echoed = 0;
                    while (echoed == 0) echoed = await client.ReceiveMessagesAsync(ct);
                    if (echoed < 0) throw new IOException("closed before the echo");
                }
                // Bounded by the round's deadline only: a timer per upgrade would cost the client more than it saves.
                if (!await client.CloseAndAwaitFinAsync(ct)) throw new IOException("FIN without a close frame from the server");
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
