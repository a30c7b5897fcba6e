using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.PubSub;

/// <summary>Topics that keep history, in one process: a late joiner gets the last messages, a subscriber
/// that comes back gets what it missed, exactly once and in order, or is told that it cannot.</summary>
public sealed class HistoryTests
{
    // Each frame says where it stands, as an application's format would: "OFFSET:EPOCH|PAYLOAD".
    private static readonly TopicHistoryOptions Options = new()
    {
        MaxMessages = 100,
        Format = m => PreparedMessage.Text($"{m.Position}|{System.Text.Encoding.UTF8.GetString(m.Payload.Span)}"),
    };

    [Fact]
    public async Task ALateJoinerGetsTheLastMessagesThenTheLiveOnes()
    {
        await using Harness h = await Harness.StartAsync(o => o.History.Keep("news", Options with { MaxMessages = 3 }));
        for (int i = 1; i <= 5; i++) h.Server.Publish("news", PreparedMessage.Text($"n{i}"));
        (RawClient client, WebSocketConnection connection) = await h.ConnectAsync();

        TopicRecovery joined = await connection.SubscribeAsync("news", last: 10).AsTask().Bounded();
        h.Server.Publish("news", PreparedMessage.Text("n6"));

        Assert.True(joined.Recovered);
        Assert.Equal(3, joined.Replayed);
        Assert.Equal(5, joined.Latest.Offset);
        Assert.Equal(["n3", "n4", "n5", "n6"], await ReadPayloadsAsync(client, 4));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task ASubscriberThatComesBackGetsWhatItMissedThenLiveWithNoGapOrRepeat()
    {
        await using Harness h = await Harness.StartAsync(o => o.History.Keep("room:*", Options));
        (RawClient first, WebSocketConnection firstConnection) = await h.ConnectAsync();
        await firstConnection.SubscribeAsync("room:1", last: 0).AsTask().Bounded();
        for (int i = 1; i <= 3; i++) h.Server.Publish("room:1", PreparedMessage.Text($"m{i}"));
        List<(TopicPosition Position, string Payload)> seen = await ReadAsync(first, 3);
        await first.DisposeAsync();
        for (int i = 4; i <= 6; i++) h.Server.Publish("room:1", PreparedMessage.Text($"m{i}"));

        (RawClient again, WebSocketConnection againConnection) = await h.ConnectAsync();
        TopicRecovery recovery = await againConnection.SubscribeAsync("room:1", seen[^1].Position).AsTask().Bounded();
        h.Server.Publish("room:1", PreparedMessage.Text("m7"));

        Assert.True(recovery.Recovered);
        Assert.Equal(3, recovery.Replayed);
        Assert.Equal(["m4", "m5", "m6", "m7"], await ReadPayloadsAsync(again, 4));
        await again.DisposeAsync();
    }

    [Fact]
    public async Task APositionOlderThanTheHistoryOrOfAnotherEpochIsNotRecovered()
    {
        await using Harness h = await Harness.StartAsync(o => o.History.Keep("news", Options with { MaxMessages = 2 }));
        for (int i = 1; i <= 4; i++) h.Server.Publish("news", PreparedMessage.Text($"n{i}"));
        TopicHistoryPage page = await h.Server.ReadHistoryAsync("news");
        string epoch = page.Latest.Epoch;
        (RawClient client, WebSocketConnection connection) = await h.ConnectAsync();

        TopicRecovery tooOld = await connection.SubscribeAsync("news", new TopicPosition(1, epoch)).AsTask().Bounded();
        Assert.False(tooOld.Recovered);
        Assert.Equal(0, tooOld.Replayed);
        Assert.Equal(new TopicPosition(4, epoch), tooOld.Latest);
        h.Server.Publish("news", PreparedMessage.Text("n5"));
        Assert.Equal(["n5"], await ReadPayloadsAsync(client, 1)); // live, nothing of the past

        (RawClient other, WebSocketConnection otherConnection) = await h.ConnectAsync();
        TopicRecovery lostEpoch = await otherConnection.SubscribeAsync("news", new TopicPosition(4, "another")).AsTask().Bounded();
        Assert.False(lostEpoch.Recovered);
        (RawClient third, WebSocketConnection thirdConnection) = await h.ConnectAsync();
        TopicRecovery justInTime = await thirdConnection.SubscribeAsync("news", new TopicPosition(3, epoch)).AsTask().Bounded();
        Assert.True(justInTime.Recovered); // 4 and 5 are kept
        Assert.Equal(["n4", "n5"], await ReadPayloadsAsync(third, 2));
        foreach (RawClient c in new[] { client, other, third }) await c.DisposeAsync();
    }

    [Fact]
    public async Task MessagesOlderThanMaxAgeAreNotReplayed()
    {
        var time = new FakeTimeProvider();
        await using Harness h = await Harness.StartAsync(o =>
        {
            o.TimeProvider = time;
            o.History.Keep("news", Options with { MaxAge = TimeSpan.FromSeconds(60) });
        });
        h.Server.Publish("news", PreparedMessage.Text("old"));
        time.Advance(TimeSpan.FromSeconds(59));
        h.Server.Publish("news", PreparedMessage.Text("young"));

        // Just inside the age: both kept.
        Assert.Equal(2, (await h.Server.ReadHistoryAsync("news")).Messages.Count);
        time.Advance(TimeSpan.FromSeconds(2));
        // Past it for the first only.
        TopicHistoryPage page = await h.Server.ReadHistoryAsync("news");
        Assert.Equal(["young"], page.Messages.Select(m => System.Text.Encoding.UTF8.GetString(m.Payload.Span)));
        Assert.Equal(2, page.Latest.Offset);
    }

    [Fact]
    public async Task ATopicWithoutHistoryRefusesARecovery()
    {
        await using Harness h = await Harness.StartAsync(o => o.History.Keep("news", Options));
        (RawClient client, WebSocketConnection connection) = await h.ConnectAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.SubscribeAsync("other", last: 5).AsTask());
        Assert.Throws<ArgumentException>(() => new TopicHistoryTable().Keep("x", new TopicHistoryOptions { MaxMessages = 0 }));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task UnderConcurrentPublishersASubscriberThatKeepsComingBackGetsEveryMessageOnceInOrder()
    {
        const int publishers = 3, perPublisher = 300;
        await using Harness h = await Harness.StartAsync(o => o.History.Keep("busy", Options with { MaxMessages = 10_000 }));
        Task publishing = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < perPublisher; i++)
            {
                h.Server.Publish("busy", PreparedMessage.Text($"{p}.{i}"));
                if (i % 25 == 0) await Task.Yield();
            }
        })));

        var random = new Random(20261204);
        var received = new List<string>();
        TopicPosition? last = null;
        while (received.Count < publishers * perPublisher)
        {
            (RawClient client, WebSocketConnection connection) = await h.ConnectAsync();
            TopicRecovery recovery = last is { } since
                ? await connection.SubscribeAsync("busy", since).AsTask().Bounded()
                : await connection.SubscribeAsync("busy", last: 10_000).AsTask().Bounded();
            Assert.True(recovery.Recovered);
            // Read a random number of messages, then drop the connection, as a phone changing networks.
            int read = Math.Min(random.Next(1, 200), publishers * perPublisher - received.Count);
            foreach ((TopicPosition position, string payload) in await ReadAsync(client, read))
            {
                if (last is { } previous) Assert.Equal(previous.Offset + 1, position.Offset); // no gap, no repeat
                last = position;
                received.Add(payload);
            }
            await client.DisposeAsync();
        }
        await publishing.Bounded();

        Assert.Equal(publishers * perPublisher, received.Distinct().Count());
        for (int p = 0; p < publishers; p++)
        {
            int[] order = [.. received.Where(r => r.StartsWith($"{p}.", StringComparison.Ordinal))
                .Select(r => int.Parse(r[(r.IndexOf('.') + 1)..], CultureInfo.InvariantCulture))];
            Assert.Equal(Enumerable.Range(0, perPublisher), order);
        }
    }

    private static async Task<List<(TopicPosition, string)>> ReadAsync(RawClient client, int count)
    {
        var read = new List<(TopicPosition, string)>();
        while (read.Count < count)
        {
            string text = (await client.ReadFrameAsync().Bounded())!.Value.Text;
            int bar = text.IndexOf('|');
            Assert.True(TopicPosition.TryParse(text[..bar], out TopicPosition position), text);
            read.Add((position, text[(bar + 1)..]));
        }
        return read;
    }

    private static async Task<string[]> ReadPayloadsAsync(RawClient client, int count) =>
        [.. (await ReadAsync(client, count)).Select(r => r.Item2)];

    /// <summary>A server whose test drives each connection from the server's side.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly RecordingHandler _handler;

        private Harness(TestServer server, RecordingHandler handler)
        {
            Server = server.Server;
            Test = server;
            _handler = handler;
        }

        public WsServer.Hosting.WebSocketServer Server { get; }

        private TestServer Test { get; }

        public static async Task<Harness> StartAsync(Action<WsServer.Hosting.ServerOptions> configure)
        {
            var handler = new RecordingHandler();
            return new Harness(await TestServer.StartAsync(handler, configure), handler);
        }

        public async Task<(RawClient, WebSocketConnection)> ConnectAsync()
        {
            int before = _handler.Opened.Count;
            RawClient client = await RawClient.ConnectAsync(Test.Port);
            Assert.True(await Timeouts.Eventually(() => _handler.Opened.Count > before));
            return (client, _handler.Opened.ElementAt(before));
        }

        public ValueTask DisposeAsync() => Test.DisposeAsync();
    }
}
