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
            EchoSpec spec = new(o.Connections, o.Window, BinaryFrames(size, o.Window));
            rows.Add((size, await pair.InterleaveAsync($"echo {name}", o.Rounds,
                async s => (await EchoLoad.RunAsync(s, spec, o)).Sample)));
        }
        report.Table("Echo throughput (messages)", "msgs/s", higherIsBetter: true, rows.Select(r => r.Row));
        report.Table("Echo throughput (bytes, one direction)", "MB/s", higherIsBetter: true, rows.Select(r => r.Row with
        {
            WsServer = [.. r.Row.WsServer.Select(s => s with { Value = s.Value * r.Size / 1e6 })],
            Other = [.. r.Row.Other.Select(s => s with { Value = s.Value * r.Size / 1e6 })],
        }));
    }

    public static string Size(int bytes) => bytes >= 1024 ? $"{bytes / 1024} KiB" : $"{bytes} B";

    /// <summary>One masked binary frame of <paramref name="size"/> random bytes, sent up to <paramref name="window"/>
    /// at a time.</summary>
    public static FrameCycle BinaryFrames(int size, int window)
    {
        byte[] payload = new byte[size];
        Random.Shared.NextBytes(payload);
        return new FrameCycle([WsClient.Encode(Opcode.Binary, payload)], window);
    }
}
