using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Operations;

/// <summary>The program's limits on what one peer may do: messages a second from its config file, new
/// connections a second from one address, and the frames of one message.</summary>
public sealed class AbuseLimitTests
{
    [Fact]
    public async Task APeerOverTheConfiguredMessageRateIsClosedWith1008()
    {
        // One message a second, a burst of two: twenty sent at once cannot all be within it, however slow the machine.
        string config = Settings.ConfigFile("""{ "RateLimit": { "MessagesPerSecond": 1, "MessageBurst": 2, "OnExcess": "Close" } }""");
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--config", config, "--route", "/echo=echo");
        using (host)
        {
            using ClientWebSocket socket = await BclClient.ConnectAsync(new Uri(uri, "/echo"));
            for (int i = 0; i < 20 && socket.State == WebSocketState.Open; i++)
            {
                try
                {
                    await socket.SendAsync("flood"u8.ToArray(), WebSocketMessageType.Text);
                }
                catch (WebSocketException)
                {
                    break; // the server closed first
                }
            }
            (WebSocketMessageType type, _) = await ReceiveUntilCloseAsync(socket);

            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        }
    }

    [Fact]
    public async Task NewConnectionsOverTheRatePerAddressAreRefusedWith429AndRetryAfter()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--connections-per-second-per-ip", "1", "--route", "/echo=echo");
        using (host)
        {
            // One a second: five upgrades at once cannot all be within it.
            string[] answers = new string[5];
            for (int i = 0; i < answers.Length; i++) answers[i] = await UpgradeHeadAsync(uri.Port, "/echo");

            Assert.StartsWith("HTTP/1.1 101", answers[0], StringComparison.Ordinal);
            Assert.Contains(answers, a => a.StartsWith("HTTP/1.1 429", StringComparison.Ordinal));
            Assert.All(answers, a => Assert.True(a.StartsWith("HTTP/1.1 101", StringComparison.Ordinal) ||
                (a.StartsWith("HTTP/1.1 429", StringComparison.Ordinal) && a.Contains("\r\nRetry-After: 1\r\n", StringComparison.Ordinal)), a));
        }
    }

    [Fact]
    public async Task AMessageInMoreFramesThanTheFlagAllowsIsClosedWith1009()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--max-fragments-per-message", "4", "--route", "/echo=echo");
        using (host)
        {
            using ClientWebSocket socket = await BclClient.ConnectAsync(new Uri(uri, "/echo"));
            // Four frames are allowed (the first and three continuations) and echoed as one message...
            for (int i = 0; i < 4; i++)
                await socket.SendAsync("ab"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: i == 3, CancellationToken.None).WaitAsync(HostProcess.Timeout);
            Assert.Equal("abababab"u8.ToArray(), (await socket.ReceiveMessageAsync()).Data);

            // ...a fifth, even an empty one, is not.
            for (int i = 0; i < 5; i++)
                await socket.SendAsync(Array.Empty<byte>(), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None).WaitAsync(HostProcess.Timeout);
            Assert.Equal(WebSocketMessageType.Close, (await ReceiveUntilCloseAsync(socket)).Type);
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        }
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveUntilCloseAsync(ClientWebSocket socket)
    {
        while (true)
        {
            (WebSocketMessageType type, byte[] data) = await socket.ReceiveMessageAsync();
            if (type == WebSocketMessageType.Close) return (type, data);
        }
    }

    /// <summary>Sends an upgrade request on a new connection and returns the head of the answer.</summary>
    private static async Task<string> UpgradeHeadAsync(int port, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(HostProcess.Timeout);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync(PlainHttp.UpgradeRequest(path)).AsTask().WaitAsync(HostProcess.Timeout);
        var head = new System.Text.StringBuilder();
        var buffer = new byte[1024];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(HostProcess.Timeout);
            if (read == 0) break;
            head.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        }
        return head.ToString();
    }
}
