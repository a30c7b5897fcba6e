using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>The program end to end, through <see cref="ClientWebSocket"/> (a client this project did not write).</summary>
public sealed class WebSocketTests
{
    private static readonly string UppercaseSpec =
        $"{HostProcess.TestAssemblyPath}:WsServer.Host.Tests.TestHandlers.UppercaseHandler";

    [Fact]
    public async Task EchoSendsTextBackAsTextAndBinaryAsBinary()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--workers", "10", "--handler", "echo");
        using (host)
        {
            using ClientWebSocket client = await BclClient.ConnectAsync(uri);

            await client.SendAsync("héllo"u8.ToArray(), WebSocketMessageType.Text);
            (WebSocketMessageType type, byte[] data) = await client.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Text, type);
            Assert.Equal("héllo", Encoding.UTF8.GetString(data));

            byte[] binary = [0, 1, 2, 0xfe, 0xff];
            await client.SendAsync(binary, WebSocketMessageType.Binary);
            (type, data) = await client.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Binary, type);
            Assert.Equal(binary, data);

            await client.CloseAsync(WebSocketCloseStatus.NormalClosure);
        }
    }

    [Fact]
    public async Task HandlerLoadedFromAnAssemblyServesMessages()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", UppercaseSpec);
        using (host)
        {
            using ClientWebSocket client = await BclClient.ConnectAsync(uri);

            await client.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Equal("1:HELLO", Encoding.UTF8.GetString((await client.ReceiveMessageAsync()).Data));
            await client.SendAsync("again"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Equal("2:AGAIN", Encoding.UTF8.GetString((await client.ReceiveMessageAsync()).Data));

            await client.CloseAsync(WebSocketCloseStatus.NormalClosure);
        }
    }

    [Fact]
    public async Task SigtermClosesConnectionsWithGoingAwayAndExitsZero()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync();
        using (host)
        {
            using ClientWebSocket client = await BclClient.ConnectAsync(uri);
            // A round trip first, so the connection is surely being served when the signal comes.
            await client.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text);
            await client.ReceiveMessageAsync();

            host.Terminate();

            (WebSocketMessageType type, _) = await client.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal((WebSocketCloseStatus)1001, client.CloseStatus);
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure);
            Assert.Equal(0, await host.WaitForExitAsync());
        }
    }

    [Fact]
    public async Task MessageUpToTheLimitIsEchoedAndALargerOneClosesWith1009()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--max-message-size", "10");
        using (host)
        {
            using ClientWebSocket client = await BclClient.ConnectAsync(uri);

            await client.SendAsync("0123456789"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Equal("0123456789", Encoding.UTF8.GetString((await client.ReceiveMessageAsync()).Data));

            await client.SendAsync("0123456789A"u8.ToArray(), WebSocketMessageType.Text);
            (WebSocketMessageType type, _) = await client.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        }
    }

    [Fact]
    public async Task DefaultLogLevelLogsEachConnectionOpenedAndClosed()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync();
        using (host)
        {
            await ConnectAndCloseAsync(uri);

            string opened = await host.WaitForStdoutAsync(l => l.Contains(" opened from 127.0.0.1:", StringComparison.Ordinal));
            Assert.Contains("info:", opened, StringComparison.Ordinal);
            string closed = await host.WaitForStdoutAsync(l => l.Contains(" closed ", StringComparison.Ordinal));
            Assert.Contains("127.0.0.1:", closed, StringComparison.Ordinal);
            Assert.True(closed.Contains("1000", StringComparison.Ordinal) || closed.Contains("NormalClosure", StringComparison.Ordinal),
                $"No close code in: {closed}");
        }
    }

    [Fact]
    public async Task WarningLogLevelSuppressesConnectionLines()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--log-level", "Warning");
        using (host)
        {
            await ConnectAndCloseAsync(uri);
            // Stopping flushes the console logger, so every line it would write is in by the exit.
            host.Terminate();
            Assert.Equal(0, await host.WaitForExitAsync());

            Assert.DoesNotContain(host.Stdout, l => l.Contains(" opened from ", StringComparison.Ordinal));
            Assert.DoesNotContain(host.Stdout, l => l.Contains(" closed ", StringComparison.Ordinal));
            Assert.DoesNotContain(host.Stdout, l => l.Contains("info:", StringComparison.Ordinal));
        }
    }

    private static async Task ConnectAndCloseAsync(Uri uri)
    {
        using ClientWebSocket client = await BclClient.ConnectAsync(uri);
        await client.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text);
        await client.ReceiveMessageAsync();
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure);
    }
}
