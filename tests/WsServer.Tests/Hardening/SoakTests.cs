using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Hardening;

/// <summary>Thousands of connections opened, used and closed in waves, some cut mid-frame: afterwards
/// the server holds no connection and no socket, and its managed memory is back near the start.</summary>
[Collection(nameof(SoakTests))] // alone: it counts the process's descriptors and heap
[CollectionDefinition(nameof(SoakTests), DisableParallelization = true)]
public sealed class SoakTests
{
    private const int Waves = 6;
    private const int PerWave = 400;

    [Fact]
    public async Task WavesOfConnectionsSomeCutMidFrameLeaveNothingBehind()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.CloseTimeout = TimeSpan.FromSeconds(2));
        await RunWaveAsync(server.Port, 50); // warm-up: pools and JIT settle before the baseline
        Assert.True(await Timeouts.Eventually(() => server.Server.ConnectionCount == 0), "the warm-up wave did not end");
        int descriptorsBefore = OpenDescriptors();
        long heapBefore = SettledHeap();

        for (int wave = 0; wave < Waves; wave++) await RunWaveAsync(server.Port, PerWave);

        Assert.True(await Timeouts.Eventually(() => server.Server.ConnectionCount == 0), $"{server.Server.ConnectionCount} connections left");
        Assert.True(await Timeouts.Eventually(() => OpenDescriptors() <= descriptorsBefore + 8),
            $"descriptors: {descriptorsBefore} before, {OpenDescriptors()} after");
        long heapAfter = SettledHeap();
        Assert.True(heapAfter < heapBefore + 8 * 1024 * 1024, $"managed heap: {heapBefore:N0} B before, {heapAfter:N0} B after");
    }

    /// <summary>Each connection echoes one message; one in four is then cut mid-frame with a reset,
    /// one in four half-closes, the rest close properly.</summary>
    private static async Task RunWaveAsync(int port, int count)
    {
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            RawClient client = await RawClient.ConnectAsync(port);
            await client.SendAsync(ClientFrame.Text($"message {i}"));
            Assert.Equal($"message {i}", (await client.ReadFrameAsync().Bounded())!.Value.Text);
            switch (i % 4)
            {
                case 0:
                    await client.SendAsync(ClientFrame.Text("cut")[..5]);
                    client.Reset();
                    break;
                case 1:
                    client.HalfClose();
                    await client.ServerClosedTcpAsync().Bounded();
                    break;
                default:
                    await client.SendAsync(ClientFrame.Close(1000));
                    await client.ReadCloseAsync().Bounded();
                    await client.ServerClosedTcpAsync().Bounded();
                    break;
            }
            await client.DisposeAsync();
        }));
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private static long SettledHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
