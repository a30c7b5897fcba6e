using System.Net.WebSockets;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Operations;

/// <summary>A route's maximum lifetime, from the program's config file.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public async Task AConnectionOlderThanItsRoutesMaxLifetimeIsClosedWithTheRoutesCode()
    {
        string config = Settings.ConfigFile("""{ "Routes": { "/echo": { "Handler": "echo", "MaxLifetime": 1, "LifetimeCloseCode": 4001 } } }""");
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--config", config);
        using (host)
        {
            using ClientWebSocket socket = await BclClient.ConnectAsync(new Uri(uri, "/echo"));
            await socket.SendAsync("still open"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Equal("still open"u8.ToArray(), (await socket.ReceiveMessageAsync()).Data);

            // The close comes from the server's heartbeat once the second (less up to a tenth) has passed.
            Assert.Equal(WebSocketMessageType.Close, (await socket.ReceiveMessageAsync()).Type);
            Assert.Equal((WebSocketCloseStatus)4001, socket.CloseStatus);
        }
    }
}
