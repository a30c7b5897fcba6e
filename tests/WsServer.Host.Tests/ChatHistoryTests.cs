using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>The built-in chat's history and presence: a member that joins sees the last 50 messages and
/// who is in the room; one that comes back with its last position gets what it missed, or a reset.</summary>
public sealed class ChatHistoryTests
{
    [Fact]
    public async Task ALateJoinerSeesTheLastFiftyMessagesAndWhoIsInTheRoom()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat");
        using (host)
        {
            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=alice"));
            for (int i = 1; i <= 55; i++) await alice.SendAsync(Encoding.UTF8.GetBytes($"m{i}"), WebSocketMessageType.Text);
            for (int i = 1; i <= 55; i++) Assert.Equal($"alice: m{i}", await alice.ReceiveLineAsync());

            using ClientWebSocket bob = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=bob"));

            for (int i = 6; i <= 55; i++) Assert.Equal($"alice: m{i}", ChatClient.Line(await bob.ReceiveFrameAsync()));
            JsonElement members = await bob.ReceiveFrameAsync();
            Assert.Equal("members", members.GetProperty("type").GetString());
            Assert.Equal(["alice", "bob"], members.GetProperty("names").EnumerateArray().Select(n => n.GetString()).Order());
            JsonElement joined = await alice.ReceiveFrameAsync();
            Assert.Equal(("join", "bob"), (joined.GetProperty("type").GetString(), joined.GetProperty("name").GetString()));
        }
    }

    [Fact]
    public async Task AMemberThatComesBackWithItsLastPositionGetsWhatItMissedAndOthersSeeItLeaveAndJoin()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat");
        using (host)
        {
            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=alice"));
            string position;
            using (ClientWebSocket bob = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=bob")))
            {
                await alice.SendAsync("before"u8.ToArray(), WebSocketMessageType.Text);
                position = (await bob.ReceiveMessageFrameAsync()).GetProperty("pos").GetString()!;
                bob.Abort(); // the network drops
            }
            // Alice sees bob join, her line (in either order: bob joined as she spoke), then bob leave.
            var seen = new List<string>();
            while (seen.LastOrDefault() != "leave bob")
            {
                JsonElement frame = await alice.ReceiveFrameAsync();
                string type = frame.GetProperty("type").GetString()!;
                seen.Add(type switch
                {
                    "message" => ChatClient.Line(frame),
                    "members" => type,
                    _ => $"{type} {frame.GetProperty("name").GetString()}",
                });
            }
            Assert.Equal(["alice: before", "join bob", "leave bob"], seen.Where(s => s != "members").Order(StringComparer.Ordinal));
            await alice.SendAsync("missed 1"u8.ToArray(), WebSocketMessageType.Text);
            await alice.SendAsync("missed 2"u8.ToArray(), WebSocketMessageType.Text);

            using ClientWebSocket back = await BclClient.ConnectAsync(new Uri(uri, $"/chat?name=bob&since={Uri.EscapeDataString(position)}"));

            Assert.Equal("alice: missed 1", ChatClient.Line(await back.ReceiveFrameAsync()));
            Assert.Equal("alice: missed 2", ChatClient.Line(await back.ReceiveFrameAsync()));
            Assert.Equal("members", (await back.ReceiveFrameAsync()).GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task WithChatHistoryZeroARoomKeepsNothingAndItsMessagesCarryNoPosition()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat", "--chat-history", "0");
        using (host)
        {
            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=alice"));
            await alice.SendAsync("unkept"u8.ToArray(), WebSocketMessageType.Text);
            JsonElement said = await alice.ReceiveMessageFrameAsync();
            Assert.False(said.TryGetProperty("pos", out _));

            using ClientWebSocket bob = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=bob&since=1:x"));

            Assert.Equal("members", (await bob.ReceiveFrameAsync()).GetProperty("type").GetString()); // no replay, no reset
        }
    }

    [Fact]
    public async Task APositionTheRoomDoesNotHaveGetsAReset()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat");
        using (host)
        {
            using ClientWebSocket stale = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=bob&since=7:gone"));

            Assert.Equal("reset", (await stale.ReceiveFrameAsync()).GetProperty("type").GetString());
        }
    }
}
