using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;
using WsServer.Redis.Tests.TestSupport;
using WsServer.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary><c>--redis REDIS</c>: two wsserver processes sharing a redis-server of the test's own
/// are one room for the built-in chat and broadcast.</summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task TwoChatProcessesSharingARedisAreOneRoom()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        (HostProcess first, Uri firstUri) = await StartSharingAsync(redis, "--handler", "chat");
        (HostProcess second, Uri secondUri) = await StartSharingAsync(redis, "--handler", "chat");
        using (first)
        using (second)
        {
            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(firstUri, "/chat?name=alice"));
            using ClientWebSocket bob = await BclClient.ConnectAsync(new Uri(secondUri, "/chat?name=bob"));
            await ListeningAsync(redis, "chat:*", nodes: 2);

            await alice.SendAsync("hi from the first"u8.ToArray(), WebSocketMessageType.Text);

            Assert.Equal("alice: hi from the first", await alice.ReceiveLineAsync());
            Assert.Equal("alice: hi from the first", await bob.ReceiveLineAsync());
        }
    }

    [Fact]
    public async Task TwoBroadcastProcessesSharingARedisRelayToEachOthersClientsButNotToTheSender()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        (HostProcess first, Uri firstUri) = await StartSharingAsync(redis, "--handler", "broadcast");
        (HostProcess second, Uri secondUri) = await StartSharingAsync(redis, "--handler", "broadcast");
        using (first)
        using (second)
        {
            using ClientWebSocket alice = await BclClient.ConnectAsync(new Uri(firstUri, "/room"));
            using ClientWebSocket bob = await BclClient.ConnectAsync(new Uri(secondUri, "/room"));
            await ListeningAsync(redis, "broadcast:*", nodes: 2);

            await alice.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary);
            (WebSocketMessageType type, byte[] data) = await bob.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Binary, type);
            Assert.Equal(new byte[] { 1, 2, 3 }, data);

            // Alice's next message is Bob's, not her own.
            await bob.SendAsync("from bob"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Equal("from bob", Encoding.UTF8.GetString((await alice.ReceiveMessageAsync()).Data));
        }
    }

    [Fact]
    public async Task ABadRedisConfigurationIsAUsageErrorNamingIt()
    {
        using HostProcess host = HostProcess.Start("--port", "0", "--handler", "chat", "--redis", "localhost:6379,nosuchkey=1");

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Contains(host.Stderr, line => line.Contains("nosuchkey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMessageTypedInAChatPageOnOneProcessAppearsInAChatPageOnTheOther()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        (HostProcess first, Uri firstUri) = await StartSharingAsync(redis, "--handler", "chat");
        (HostProcess second, Uri secondUri) = await StartSharingAsync(redis, "--handler", "chat");
        using (first)
        using (second)
        {
            // A reader's page on the first process, joined before the writer's page on the second speaks.
            await using HeadlessChromium reader = HeadlessChromium.Open($"http://{firstUri.Authority}/", devTools: true);
            await UntilAsync(reader, "document.getElementById('status').textContent.startsWith('connected')");
            await ListeningAsync(redis, "chat:*", nodes: 1);

            await using HeadlessChromium writer = HeadlessChromium.Open($"http://{secondUri.Authority}/?name=writer&say=hello-across-nodes");

            await UntilAsync(reader, "document.getElementById('log').textContent.includes('writer: hello-across-nodes')");
        }
    }

    [Fact]
    public async Task AChatPageCutFromItsProcessComesBackByItselfWithWhatItMissedAndBothPagesListTheRoom()
    {
        await using RedisProcess redis = await RedisProcess.StartAsync();
        (HostProcess first, Uri firstUri) = await StartSharingAsync(redis, "--handler", "chat");
        (HostProcess second, Uri secondUri) = await StartSharingAsync(redis, "--handler", "chat");
        using (first)
        using (second)
        {
            await using HeadlessChromium reader = HeadlessChromium.Open($"http://{firstUri.Authority}/?name=reader", devTools: true);
            await UntilAsync(reader, "document.getElementById('status').textContent.startsWith('connected')");
            await ListeningAsync(redis, "chat:*", nodes: 1);
            await using HeadlessChromium writer = HeadlessChromium.Open($"http://{secondUri.Authority}/?name=writer", devTools: true);
            await UntilAsync(writer, "document.getElementById('status').textContent.startsWith('connected')");
            const string bothListed = "document.getElementById('members').textContent === 'readerwriter'";
            await UntilAsync(reader, bothListed);
            await UntilAsync(writer, bothListed);
            await UntilAsync(writer, "(socket.send('before the cut'), true)");
            await UntilAsync(reader, "document.getElementById('log').textContent.includes('writer: before the cut')");

            // The reader's network goes: its connection is cut and every new one fails, until it comes back.
            await reader.EvaluateAsync(
                "window.realWebSocket = WebSocket; WebSocket = function () { throw new Error('offline'); }; socket.close(4000, 'cut'); 'cut'");
            await UntilAsync(reader, "document.getElementById('status').textContent.includes('reconnecting')");
            await UntilAsync(writer, "document.getElementById('members').textContent === 'writer'");
            await writer.EvaluateAsync("socket.send('while away 1'); socket.send('while away 2'); 'sent'");
            await UntilAsync(writer, "document.getElementById('log').textContent.includes('writer: while away 2')");
            await reader.EvaluateAsync("WebSocket = window.realWebSocket; 'back'");

            await UntilAsync(reader, "document.getElementById('log').textContent.includes('writer: while away 2')");
            string? log = await reader.EvaluateAsync("[...document.querySelectorAll('#log div:not(.notice)')].map(d => d.textContent).join('|')");
            Assert.Equal("writer: before the cut|writer: while away 1|writer: while away 2", log);
            await UntilAsync(reader, bothListed);
            await UntilAsync(writer, bothListed);
        }
    }

    /// <summary>Polls <paramref name="expression"/> in the page until it is true.</summary>
    private static Task UntilAsync(HeadlessChromium page, string expression) =>
        Timeouts.Eventually(async () => await page.EvaluateAsync($"String(Boolean({expression}))") == "true");

    /// <summary>Waits until <paramref name="nodes"/> processes listen to the room's Redis channel: a client
    /// is in the room on its own process at once, and on the others once its process's subscribe lands.</summary>
    private static Task ListeningAsync(RedisProcess redis, string topic, int nodes) =>
        Timeouts.Eventually(async () => await redis.ChannelSubscribersAsync("wsserver:topic:{" + topic + "}") == nodes);

    /// <summary>A wsserver with <c>--redis</c>, once it says its rooms are shared (subscribed).</summary>
    private static async Task<(HostProcess, Uri)> StartSharingAsync(RedisProcess redis, params string[] args)
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync([.. args, "--redis", redis.Address]);
        await host.WaitForStdoutAsync(line => line.StartsWith("wsserver: rooms shared over Redis", StringComparison.Ordinal));
        return (host, uri);
    }
}
