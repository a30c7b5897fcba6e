using System.Net.WebSockets;
using System.Text.Json;
using WsServer.Host.Tests.TestSupport;
using WsServer.Tests.TestSupport;
using Xunit.Abstractions;

namespace WsServer.Host.Tests.Status;

/// <summary>The status page in a real browser: headless Chromium loads it from the program and shows figures
/// that move while an echo client runs, read from the page through DevTools; a screenshot is saved for a
/// person to look at.</summary>
public sealed class ChromiumStatusPageTests(ITestOutputHelper output)
{
    /// <summary>The most messages the load sends: it stops sooner, once the page has been read.</summary>
    private const int MaxMessages = 1_000_000;

    [Fact]
    public async Task ThePageShowsFiguresThatMoveUnderLoad()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--status", "/status");
        using (host)
        {
            await using HeadlessChromium browser = HeadlessChromium.Open($"http://{uri.Authority}/status", devTools: true, "--window-size=1280,720");
            Assert.Equal("live", await WhenAsync(browser, "window.statusState && statusState.snapshots > 0", "document.getElementById('state').textContent"));

            using var stop = new CancellationTokenSource();
            Task<int> load = EchoAsync(new Uri(uri, "/echo"), stop.Token);
            // Five snapshots that saw the load, so the charts have a line to draw.
            string shown = await WhenAsync(browser,
                "(window.seenUnderLoad = (window.seenUnderLoad || 0) + (statusState.last.messagesInPerSecond > 0 && statusState.snapshots !== window.lastCounted ? 1 : 0), window.lastCounted = statusState.snapshots, window.seenUnderLoad >= 5)",
                "JSON.stringify({ messagesIn: Number(document.getElementById('messagesIn').dataset.value), " +
                "messagesOut: Number(document.getElementById('messagesOut').dataset.value), " +
                "connections: Number(document.getElementById('connections').dataset.value), " +
                "handlerP50: document.getElementById('handlerP50').textContent })");
            byte[] png = await browser.CaptureScreenshotAsync();
            await stop.CancelAsync();
            int sent = await load;

            JsonElement figures = JsonDocument.Parse(shown).RootElement;
            Assert.True(figures.GetProperty("messagesIn").GetDouble() > 0, shown);
            Assert.True(figures.GetProperty("messagesOut").GetDouble() > 0, shown);
            // The echo client and the page itself.
            Assert.True(figures.GetProperty("connections").GetDouble() >= 2, shown);
            Assert.NotEqual("–", figures.GetProperty("handlerP50").GetString());
            Assert.True(sent > 0);

            string path = Path.Combine(Path.GetTempPath(), "wsserver-status-page.png");
            await File.WriteAllBytesAsync(path, png);
            Assert.True(png.Length > 1000, $"a screenshot of {png.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
            output.WriteLine($"The status page under load ({sent} messages echoed): {path}");
            output.WriteLine($"Shown: {shown}");
        }
    }

    /// <summary>The value once the condition holds in the page. The first call may meet the page while it
    /// is still replacing the blank one Chromium starts with; it is tried again, a few times at most.</summary>
    private static async Task<string> WhenAsync(HeadlessChromium browser, string condition, string value)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await browser.EvaluateAsync(Until(condition, value), awaitPromise: true) ?? "";
            }
            catch (InvalidOperationException ex) when (attempt < 5 && ex.Message.Contains("context was destroyed", StringComparison.Ordinal))
            {
                // The page navigated during the call: the next call runs in the loaded page.
            }
        }
    }

    /// <summary>A promise of <paramref name="value"/> once <paramref name="condition"/> holds, checked every 100 ms in
    /// the page; it fails after 15 s, within the DevTools call's own bound.</summary>
    private static string Until(string condition, string value) =>
        $"new Promise((resolve, reject) => {{ const end = Date.now() + 15000; const check = () => {{ " +
        $"if ({condition}) resolve({value}); else if (Date.now() > end) reject(new Error('not within 15 s: ' + JSON.stringify(window.statusState))); " +
        $"else setTimeout(check, 100); }}; check(); }})";

    /// <summary>Echoes messages one at a time until stopped (or <see cref="MaxMessages"/>); returns how many.</summary>
    private static async Task<int> EchoAsync(Uri uri, CancellationToken stop)
    {
        using ClientWebSocket socket = await BclClient.ConnectAsync(uri);
        byte[] message = new byte[64];
        var buffer = new byte[256];
        int count = 0;
        while (count < MaxMessages && !stop.IsCancellationRequested)
        {
            await socket.SendAsync(message.AsMemory(), WebSocketMessageType.Binary, true, CancellationToken.None).AsTask().WaitAsync(HostProcess.Timeout);
            await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask().WaitAsync(HostProcess.Timeout);
            count++;
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure);
        return count;
    }
}
