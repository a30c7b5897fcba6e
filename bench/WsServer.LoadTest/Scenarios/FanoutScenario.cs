using System.Text;
using WsServer.LoadTest.Client;
using WsServer.LoadTest.Measuring;
using WsServer.LoadTest.Servers;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Scenarios;

/// <summary>Broadcast fan-out: N connections listen; one more (the sender, which gets a copy too) sends
/// <c>fanout:</c> commands, keeping W broadcasts in flight (a new command when its own copy comes back).
/// WsServer answers with <c>server.Broadcast(PreparedMessage)</c>, Kestrel with a loop of sends over its open
/// sockets. The metric is messages delivered to the N receivers per second (the sender's copies pace it and
/// are not counted).</summary>
internal static class FanoutScenario
{
    public static async Task RunAsync(ServerPair pair, LoadOptions o, Report report)
    {
        Row row = await pair.InterleaveAsync($"fan-out, 1 sender to {o.FanoutConnections} receivers, {EchoScenario.Size(o.FanoutSize)}, window {o.FanoutWindow}",
            o.Rounds, s => OnceAsync(s, o));
        report.Table("Broadcast fan-out", "msgs delivered/s", higherIsBetter: true, [row],
            "WsServer drops a broadcast to a connection whose send queue is full (by design); only delivered messages count.");
    }

    public static async Task<Sample> OnceAsync(ServerProcess server, LoadOptions o)
    {
        byte[] command = WsClient.Encode(Opcode.Text, [.. Encoding.ASCII.GetBytes("fanout:"), .. new byte[o.FanoutSize]]);
        // Small buffers: 10,000 receivers of 64 B messages need no more (a buffer grows if it must).
        bool epoll = o.Client == ClientDriver.Epoll;
        List<WsClient> listeners = await ClientGroup.OpenAsync(server.EndPoint, o.FanoutConnections, 4096, concurrency: 64,
            blocking: epoll);
        using WsClient trigger = await WsClient.ConnectAsync(server.EndPoint, 64 * 1024, CancellationToken.None);
        var state = new LoadState();
        TimeSpan timeout = o.Warmup + o.Duration + TimeSpan.FromSeconds(30);
        using var deadline = new CancellationTokenSource(timeout);
        // The sender stays async: one connection, and its copies must not count as deliveries.
        Task listening = epoll ? EpollClientLoop.Start(listeners, frames: null, window: 0, state, timeout)
            : Task.WhenAll(listeners.Select(c => ListenAsync(c, state, deadline.Token)));
        Task triggering = TriggerAsync(trigger, command, o.FanoutWindow, state, deadline.Token);

        await Task.Delay(o.Warmup);
        UsageMeter meter = await UsageMeter.StartAsync(server);
        long before = Volatile.Read(ref state.Received), sentBefore = Volatile.Read(ref state.Sent);
        await Task.Delay(o.Duration);
        long after = Volatile.Read(ref state.Received), sent = Volatile.Read(ref state.Sent) - sentBefore;
        Usage usage = await meter.StopAsync();
        state.Stopping = true;
        await triggering;
        await trigger.CloseAsync(TimeSpan.FromSeconds(3));
        // Listeners end their side; the server closes its side and the loops see the end of the stream.
        foreach (WsClient listener in listeners) listener.ShutdownSend();
        await listening.WaitAsync(TimeSpan.FromSeconds(15));
        foreach (WsClient listener in listeners) listener.Dispose();
        // A broadcast reaches every receiver unless one's send queue was full: the share that arrived.
        Console.WriteLine($"    {server.Name}: {sent:N0} broadcasts sent, {(after - before) / (double)Math.Max(1, sent * listeners.Count):P1} of their deliveries arrived");
        return new Sample((after - before) / usage.Elapsed.TotalSeconds, usage, after - before);
    }

    private static async Task ListenAsync(WsClient client, LoadState state, CancellationToken ct)
    {
        try
        {
            int received;
            while ((received = await client.ReceiveMessagesAsync(ct)) >= 0) Interlocked.Add(ref state.Received, received);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            // Reset at the end of the round.
        }
    }

    private static async Task TriggerAsync(WsClient trigger, byte[] command, int window, LoadState state, CancellationToken ct)
    {
        try
        {
            for (int i = 0; i < window; i++) await trigger.SendAsync(command, ct);
            int outstanding = window;
            while (outstanding > 0)
            {
                int received = await trigger.ReceiveMessagesAsync(ct);
                if (received < 0) return;
                outstanding -= received;
                for (int i = 0; i < received && !state.Stopping; i++, outstanding++)
                {
                    await trigger.SendAsync(command, ct);
                    Interlocked.Increment(ref state.Sent);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"  fan-out trigger ended early: {ex.Message}");
        }
    }
}
