using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;
using WsServer.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>A real browser in the chat: headless Chromium (Debian's <c>chromium</c>) loads the chat page
/// from the program, joins over WebSocket (with permessage-deflate, which Chromium offers) and says
/// hello; a .NET member of the room hears it.</summary>
public sealed class ChromiumChatTests
{
    [Fact]
    public async Task ChromiumLoadsTheChatPageJoinsAndIsHeardByTheRoom()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat");
        using (host)
        {
            using ClientWebSocket member = await BclClient.ConnectAsync(new Uri(uri, "/chat"));
            await using HeadlessChromium browser = HeadlessChromium.Open($"http://{uri.Authority}/?name=chromium&say=hello-from-chromium");

            Assert.Equal("chromium: hello-from-chromium", await member.ReceiveLineAsync());
        }
    }
}
