using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>The built-in chat: its page at / for a browser, and every text message sent to every member
/// with its sender's name.</summary>
public sealed class ChatTests
{
    [Fact]
    public async Task ChatServesItsPageAndBroadcastsToEveryMember()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat");
        using (host)
        {
            using var http = new HttpClient();
            string page = await http.GetStringAsync(new Uri($"http://{uri.Authority}/"));
            Assert.Contains("new WebSocket(", page, StringComparison.Ordinal);
            Assert.Contains("\"/chat\"", page, StringComparison.Ordinal);

            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=alice"));
            using ClientWebSocket nameless = await BclClient.ConnectAsync(new Uri(uri, "/chat"));
            await alice.SendAsync("hi all"u8.ToArray(), WebSocketMessageType.Text);

            Assert.Equal("alice: hi all", await alice.ReceiveLineAsync());
            Assert.Equal("alice: hi all", await nameless.ReceiveLineAsync());

            await nameless.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Matches("^guest-[0-9]+: hello$", await alice.ReceiveLineAsync());
        }
    }

    [Theory]
    [InlineData("ada%20lovelace", "ada lovelace")]
    [InlineData("%20%20bob%20", "bob")]
    [InlineData("eve%0D%0Aforged%3A%20line", "eveforged: line")]
    [InlineData("0123456789012345678901234567890123456789", "01234567890123456789012345678901")]
    public async Task ANameIsTrimmedStrippedOfControlCharactersAndCapped(string query, string expected)
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat");
        using (host)
        {
            using ClientWebSocket member = await BclClient.ConnectAsync(new Uri(uri, "/chat?name=" + query));
            await member.SendAsync("x"u8.ToArray(), WebSocketMessageType.Text);

            Assert.Equal(expected + ": x", await member.ReceiveLineAsync());
        }
    }
}

/// <summary>The built-in broadcast: each message relayed unchanged to every other client of the route.</summary>
public sealed class BroadcastTests
{
    [Fact]
    public async Task EachMessageGoesUnchangedToEveryOtherClientButNotBackToItsSender()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "broadcast");
        using (host)
        {
            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(uri, "/room"));
            using ClientWebSocket bob = await BclClient.ConnectAsync(new Uri(uri, "/room"));

            await bob.SendAsync("from bob"u8.ToArray(), WebSocketMessageType.Text);
            (WebSocketMessageType type, byte[] data) = await alice.ReceiveMessageAsync();
            Assert.Equal((WebSocketMessageType.Text, "from bob"), (type, Encoding.UTF8.GetString(data)));

            await alice.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary);
            (type, data) = await bob.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Binary, type);
            Assert.Equal(new byte[] { 1, 2, 3 }, data);

            // Alice's next message is Bob's, not her own echoed back.
            await bob.SendAsync("again"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Equal("again", Encoding.UTF8.GetString((await alice.ReceiveMessageAsync()).Data));
        }
    }
}
