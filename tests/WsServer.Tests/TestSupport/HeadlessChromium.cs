using System.Diagnostics;

namespace WsServer.Tests.TestSupport;

/// <summary>Debian's Chromium, headless, on a page, with a throwaway profile; killed on dispose. Shared
/// by the server's and the program's tests (linked into both projects).</summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _browser;
    private readonly string _profile;
    private readonly Task<string> _stderr;

    private HeadlessChromium(Process browser, string profile)
    {
        _browser = browser;
        _profile = profile;
        _stderr = browser.StandardError.ReadToEndAsync();
        _ = browser.StandardOutput.ReadToEndAsync();
    }

    /// <summary>Opens <paramref name="url"/>; fails the test with the install command when Chromium is missing.
    /// With <paramref name="devTools"/>, the page can be read through the DevTools protocol (<see cref="EvaluateAsync"/>).</summary>
    public static HeadlessChromium Open(string url, bool devTools = false, params string[] extraArguments)
    {
        if (!File.Exists(Executable)) Assert.Fail($"{Executable} not found. Chromium interop needs: apt-get install -y chromium");
        string profile = Directory.CreateTempSubdirectory("wsserver-chromium-").FullName;
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The flags keep a headless browser off the network this machine does not have.
        foreach (string argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", url })
            start.ArgumentList.Add(argument);
        // Port 0: Chromium picks one and writes it to DevToolsActivePort in the profile.
        if (devTools) start.ArgumentList.Insert(0, "--remote-debugging-port=0");
        foreach (string argument in extraArguments) start.ArgumentList.Insert(0, argument);
        return new HeadlessChromium(Process.Start(start)!, profile);
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (DevTools protocol, Runtime.evaluate) and
    /// returns its value as a string; the browser must have been opened with devTools. With
    /// <paramref name="awaitPromise"/>, the value of the promise the expression gives, once it settles.</summary>
    public async Task<string?> EvaluateAsync(string expression, bool awaitPromise = false)
    {
        System.Text.Json.JsonElement result = (await CallAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise }))
            .GetProperty("result");
        return result.TryGetProperty("value", out System.Text.Json.JsonElement value) ? value.ToString() : null;
    }

    /// <summary>A PNG of the page as it is shown now (DevTools protocol, Page.captureScreenshot).</summary>
    public async Task<byte[]> CaptureScreenshotAsync()
    {
        System.Text.Json.JsonElement result = await CallAsync("Page.captureScreenshot", new { format = "png" });
        return Convert.FromBase64String(result.GetProperty("data").GetString()!);
    }

    /// <summary>Calls one DevTools protocol method on the page and returns its result, within 20 s. Throws
    /// <see cref="InvalidOperationException"/> with the browser's error (such as "Execution context was
    /// destroyed" while the page is still being loaded).</summary>
    private async Task<System.Text.Json.JsonElement> CallAsync(string method, object parameters)
    {
        string target = await PageDebuggerUrlAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var devTools = new System.Net.WebSockets.ClientWebSocket();
        await devTools.ConnectAsync(new Uri(target), deadline.Token);
        string call = System.Text.Json.JsonSerializer.Serialize(new { id = 1, method, @params = parameters });
        await devTools.SendAsync(System.Text.Encoding.UTF8.GetBytes(call), System.Net.WebSockets.WebSocketMessageType.Text, true, deadline.Token);
        System.Text.Json.JsonElement answer = await ReadJsonAsync(devTools, deadline.Token);
        if (answer.TryGetProperty("error", out System.Text.Json.JsonElement error)) throw new InvalidOperationException($"DevTools {method} failed: {error}");
        return answer.GetProperty("result");
    }

    /// <summary>The DevTools protocol address of the page (the browser must have been opened with devTools),
    /// for a test that follows the page's events itself.</summary>
    public async Task<string> PageDebuggerUrlAsync()
    {
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        // Chromium creates the file before it writes the port: wait for the line, not the file.
        string? port = null;
        for (int i = 0; i < 200 && string.IsNullOrEmpty(port); i++)
        {
            if (File.Exists(portFile)) port = (await File.ReadAllLinesAsync(portFile)).FirstOrDefault();
            if (string.IsNullOrEmpty(port)) await Task.Delay(50);
        }
        if (string.IsNullOrEmpty(port)) Assert.Fail($"Chromium wrote no DevTools port to {portFile} within 10 s");
        using var http = new HttpClient();
        string pages = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"));
        string target = System.Text.Json.JsonDocument.Parse(pages).RootElement.EnumerateArray()
            .First(p => p.GetProperty("type").GetString() == "page").GetProperty("webSocketDebuggerUrl").GetString()!;
        return target;
    }

    /// <summary>The next whole message of a DevTools protocol socket, as JSON.</summary>
    public static async Task<System.Text.Json.JsonElement> ReadJsonAsync(System.Net.WebSockets.WebSocket devTools, CancellationToken cancellationToken)
    {
        using var answer = new MemoryStream();
        var buffer = new byte[8192];
        System.Net.WebSockets.WebSocketReceiveResult received;
        do
        {
            received = await devTools.ReceiveAsync(buffer, cancellationToken);
            answer.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        return System.Text.Json.JsonDocument.Parse(answer.ToArray()).RootElement;
    }

    /// <summary>What Chromium wrote on stderr, once it has been stopped.</summary>
    public async Task<string> StopAndReadErrorsAsync()
    {
        await DisposeAsync();
        return await _stderr;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_browser.HasExited) _browser.Kill(entireProcessTree: true);
        await _browser.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _browser.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } // a late write by a dying browser
    }
}
