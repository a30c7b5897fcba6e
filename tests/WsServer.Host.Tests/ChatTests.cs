using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>The built-in chat: its page at / for a browser, and every text message broadcast to every member.</summary>
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

            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(uri, "/chat"));
            using ClientWebSocket bob = await BclClient.ConnectAsync(new Uri(uri, "/chat"));
            await alice.SendAsync("hi all"u8.ToArray(), WebSocketMessageType.Text);

            Assert.Equal("hi all", Encoding.UTF8.GetString((await alice.ReceiveMessageAsync()).Data));
            Assert.Equal("hi all", Encoding.UTF8.GetString((await bob.ReceiveMessageAsync()).Data));
        }
    }
}
