using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Status;

/// <summary>The program's status page: off unless asked for; a page and a feed of JSON snapshots at one path
/// for loopback; 403 for a viewer without the token, the page and its WebSocket alike.</summary>
public sealed class StatusPageTests
{
    [Fact]
    public async Task WithoutStatusThePathServesNoPage()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--route", "/chat=echo");
        using (host)
        {
            (HttpStatusCode status, string body) = await PlainHttp.GetAsync(uri, "/status");

            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.DoesNotContain("<canvas", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APlainGetFromLoopbackGetsThePage()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--status", "/status");
        using (host)
        {
            (HttpStatusCode status, string body) = await PlainHttp.GetAsync(uri, "/status");

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("<canvas", body, StringComparison.Ordinal);
            Assert.Contains("new WebSocket(", body, StringComparison.Ordinal);
            // Self-contained: nothing is loaded from elsewhere.
            Assert.DoesNotContain("<script src", body, StringComparison.Ordinal);
            Assert.DoesNotContain("<link", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheStatusWebSocketReceivesASnapshotEachSecondWithEveryField()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--status", "/status");
        using (host)
        {
            using ClientWebSocket echo = await BclClient.ConnectAsync(new Uri(uri, "/echo"));
            await echo.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text);
            await echo.ReceiveMessageAsync();
            using ClientWebSocket viewer = await BclClient.ConnectAsync(new Uri(uri, "/status"));

            // The first may have been taken before this viewer counted; within a few seconds one counts it.
            List<JsonElement> snapshots = [await ReceiveJsonAsync(viewer)];
            while (snapshots.Count < 5 && snapshots[^1].GetProperty("connections").GetInt64() != 2) snapshots.Add(await ReceiveJsonAsync(viewer));
            JsonElement second = snapshots[^1];

            foreach (JsonElement snapshot in snapshots)
            {
                foreach (string field in new[] { "intervalSeconds", "messagesInPerSecond", "messagesOutPerSecond", "bytesInPerSecond",
                             "bytesOutPerSecond", "sendQueueBytes", "refusedByStatus", "closedByCode" })
                    Assert.True(snapshot.TryGetProperty(field, out _), field);
                Assert.Equal(["p50", "p90", "p99"], snapshot.GetProperty("handlerMs").EnumerateObject().Select(p => p.Name));
                Assert.Equal(["p50", "p99"], snapshot.GetProperty("rttMs").EnumerateObject().Select(p => p.Name));
                Assert.Equal("none", snapshot.GetProperty("backplane").GetString());
            }
            // The echo client and this viewer.
            Assert.Equal(2, second.GetProperty("connections").GetInt64());
            Assert.Equal(2, second.GetProperty("connectionHistory").EnumerateArray().Last().GetInt64());
        }
    }

    [Fact]
    public async Task AWrongOrMissingTokenGets403ForThePageAndItsWebSocket()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--status", "/status", "--status-token", "s3cret");
        using (host)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await PlainHttp.GetAsync(uri, "/status?token=wrong")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await PlainHttp.GetAsync(uri, "/status")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(new Uri(uri, "/status?token=wrong")));
            Assert.Equal(HttpStatusCode.OK, (await PlainHttp.GetAsync(uri, "/status?token=s3cret")).Status);
            Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(new Uri(uri, "/status?token=s3cret")));
        }
    }

    [Fact]
    public async Task AnAllowListWithoutLoopbackTurnsLoopbackAway()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--status", "/status", "--status-allow", "192.0.2.0/24");
        using (host)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await PlainHttp.GetAsync(uri, "/status")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(new Uri(uri, "/status")));
        }
    }

    [Fact]
    public async Task StatusAllowWithoutStatusIsAUsageError()
    {
        using HostProcess host = HostProcess.Start("--port", "0", "--status-allow", "127.0.0.1");

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Contains("--status-allow and --status-token need --status", Assert.Single(host.Stderr), StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> UpgradeStatusAsync(Uri uri)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(HostProcess.Timeout);
        }
        catch (WebSocketException)
        {
            // Refused: the status is in the response details.
        }
        return socket.HttpStatusCode;
    }

    private static async Task<JsonElement> ReceiveJsonAsync(ClientWebSocket socket)
    {
        (WebSocketMessageType type, byte[] data) = await socket.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return JsonDocument.Parse(data).RootElement;
    }
}
