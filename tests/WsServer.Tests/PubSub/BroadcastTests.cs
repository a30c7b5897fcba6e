using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.PubSub;

/// <summary>A broadcast visits the server's open connections in reused slots: after connections come and
/// go (slots freed, reused, the table grown), it reaches each open one exactly once and no closed one.</summary>
public sealed class BroadcastTests
{
    [Fact]
    public async Task ABroadcastReachesEachOpenConnectionOnceAfterConnectionsCameAndWent()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        List<RawClient> open = [.. await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => RawClient.ConnectAsync(server.Port)))];
        Assert.True(await Timeouts.Eventually(() => server.Server.ConnectionCount == 30));

        // Every third one leaves, freeing slots in the middle; then more come than the table first held.
        List<RawClient> leaving = [.. open.Where((_, i) => i % 3 == 0)];
        foreach (RawClient client in leaving)
        {
            open.Remove(client);
            await client.DisposeAsync();
        }
        Assert.True(await Timeouts.Eventually(() => server.Server.ConnectionCount == 20));
        open.AddRange(await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => RawClient.ConnectAsync(server.Port))));
        Assert.True(await Timeouts.Eventually(() => server.Server.ConnectionCount == 35));
        Assert.Equal(35, server.Server.Connections.Count);
        Assert.Equal(35, server.Server.Connections.Select(c => c.Id).Distinct().Count());

        Assert.Equal(35, server.Server.Broadcast(PreparedMessage.Text("one")));
        Assert.Equal(35, server.Server.Broadcast(PreparedMessage.Text("two")));
        foreach (RawClient client in open)
        {
            Assert.Equal("one", (await client.ReadFrameAsync().Bounded())!.Value.Text);
            Assert.Equal("two", (await client.ReadFrameAsync().Bounded())!.Value.Text);
        }
        foreach (RawClient client in open) await client.DisposeAsync();
    }
}
