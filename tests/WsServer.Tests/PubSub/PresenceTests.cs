using WsServer.Connections;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.PubSub;

/// <summary>Presence on one server: who is in a topic, with the info each gave; a member leaves when it
/// unsubscribes or ends; watchers get each join and leave in their mailbox.</summary>
public sealed class PresenceTests
{
    [Fact]
    public async Task MembersAreListedWithTheirInfoAndLeaveByUnsubscribingOrEnding()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        // One at a time, so that the Nth connection opened is the Nth client's.
        var clients = new RawClient[3];
        for (int i = 0; i < clients.Length; i++)
        {
            clients[i] = await RawClient.ConnectAsync(server.Port);
            Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == i + 1));
        }
        WebSocketConnection[] connections = [.. handler.Opened];
        foreach (WebSocketConnection c in connections) c.Subscribe("room");
        Assert.True(connections[0].JoinPresence("room", "ada"));
        Assert.True(connections[1].JoinPresence("room", "bob"));
        connections[1].JoinPresence("room", "bob2"); // a second join replaces the info

        IReadOnlyList<PresenceMember> members = await server.Server.GetPresenceAsync("room");
        Assert.Equal([("ada", connections[0].Id), ("bob2", connections[1].Id)],
            members.OrderBy(m => m.Info).Select(m => (m.Info, m.ConnectionId)));
        Assert.Equal(connections[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), members.First(m => m.Info == "ada").Address);
        Assert.Empty(await server.Server.GetPresenceAsync("elsewhere"));

        connections[1].Unsubscribe("room");
        Assert.Equal(["ada"], (await server.Server.GetPresenceAsync("room")).Select(m => m.Info));
        await clients[0].DisposeAsync();
        await connections[0].Completion.Bounded();
        Assert.Empty(await server.Server.GetPresenceAsync("room"));
        Assert.False(connections[0].JoinPresence("room", "too late"));
        foreach (RawClient client in clients[1..]) await client.DisposeAsync();
    }

    [Fact]
    public async Task AWatcherGetsEachJoinAndLeaveInItsMailboxButNotItsOwn()
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        await using RawClient watcherClient = await RawClient.ConnectAsync(server.Port);
        Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == 1));
        RawClient memberClient = await RawClient.ConnectAsync(server.Port);
        Assert.True(await Timeouts.Eventually(() => handler.Opened.Count == 2));
        (WebSocketConnection watcher, WebSocketConnection member) = (handler.Opened.First(), handler.Opened.Last());
        Assert.True(watcher.WatchPresence("room"));
        Assert.False(watcher.WatchPresence("room"));
        watcher.JoinPresence("room", "watcher");

        member.JoinPresence("room", "ada");
        await memberClient.DisposeAsync(); // ends: leaves

        Assert.True(await Timeouts.Eventually(() => handler.Mail.Count(m => m.Id == watcher.Id) == 2));
        PresenceChange[] changes = [.. handler.Mail.Where(m => m.Id == watcher.Id).Select(m => (PresenceChange)m.Item!)];
        Assert.Equal([("room", "ada", true), ("room", "ada", false)], changes.Select(c => (c.Topic, c.Member.Info, c.Joined)));
        Assert.All(changes, c => Assert.Equal(member.Id, c.Member.ConnectionId));
    }
}
