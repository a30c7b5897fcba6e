using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using WsServer.LoadTest.Servers;

namespace WsServer.LoadTest.Scenarios;

/// <summary>One large message through a streaming echo: a freshly started WsServer child serves
/// <see cref="FloodRoutes.StreamEcho"/>, which sends each message back as it arrives; one client sends
/// <c>--stream-mb</c> MiB as one binary message in 1 MiB frames while it reads the echo. Reported: the time from
/// the first byte sent to the last byte echoed, the throughput (the message's size over that time: each byte
/// went both ways) and the child's RSS before and at its peak (VmHWM). A server that assembled the message would
/// hold it whole; a streaming one holds a few buffers.</summary>
internal static class StreamScenario
{
    private const int Frame = 1 << 20;

    public static async Task RunAsync(LoadOptions o, Report report)
    {
        using ServerProcess server = await ServerProcess.StartAsync("WsServer", "serve-wsserver", o);
        long rssBefore = server.ReadRssKiB();
        long length = (long)o.StreamMb << 20;
        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await client.ConnectAsync(new Uri($"ws://{server.EndPoint}{FloodRoutes.StreamEcho}"), timeout.Token);

        long started = Stopwatch.GetTimestamp();
        Task sending = SendAsync(client, length, timeout.Token);
        long echoed = await ReceiveAsync(client, timeout.Token);
        await sending;
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        long peak = server.ReadPeakRssKiB();
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        if (echoed != length) throw new InvalidOperationException($"The echo had {echoed} bytes, not {length}.");

        double mibPerSecond = o.StreamMb / elapsed.TotalSeconds;
        Console.Error.WriteLine($"  stream {o.StreamMb} MiB: {elapsed.TotalSeconds:0.00} s, {mibPerSecond:0} MiB/s, "
            + $"server RSS before {rssBefore / 1024.0:0.0} MiB, peak {peak / 1024.0:0.0} MiB");
        report.PlainTable($"Stream: one {o.StreamMb} MiB message through a streaming echo",
            "One ClientWebSocket sends the message in 1 MiB frames while it reads the echo, on 127.0.0.1; the route has "
            + "WebSocketRouteOptions.StreamMessages and no size limit. Time: first byte sent to last byte echoed. Peak RSS is the "
            + "child's VmHWM from /proc (start-up included); MiB = 2^20 bytes.",
            ["message (MiB)", "time (s)", "throughput (MiB/s)", "server RSS before (MiB)", "server peak RSS (MiB)"],
            [[o.StreamMb.ToString(CultureInfo.InvariantCulture), F(elapsed.TotalSeconds), F(mibPerSecond, "0"),
                F(rssBefore / 1024.0, "0.0"), F(peak / 1024.0, "0.0")]],
            "rrrrr");
    }

    private static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    private static async Task SendAsync(ClientWebSocket client, long length, CancellationToken ct)
    {
        var buffer = new byte[Frame];
        Random.Shared.NextBytes(buffer);
        for (long sent = 0; sent < length; sent += Frame)
        {
            int count = (int)Math.Min(Frame, length - sent);
            await client.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Binary, sent + count == length, ct);
        }
    }

    private static async Task<long> ReceiveAsync(ClientWebSocket client, CancellationToken ct)
    {
        var buffer = new byte[Frame];
        long received = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await client.ReceiveAsync(buffer.AsMemory(), ct);
            received += result.Count;
            if (result.EndOfMessage) return received;
        }
    }
}
