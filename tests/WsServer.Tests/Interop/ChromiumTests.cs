using System.Diagnostics;
using WsServer.Protocol.Compression;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Interop;

/// <summary>Interop with a real browser: headless Chromium (Debian's <c>chromium</c>) loads a page that
/// exchanges compressed messages of 0 B to 1 MiB both ways and reports its verdict over the socket.</summary>
public sealed class ChromiumTests
{
    private const string Chromium = "/usr/bin/chromium";

    public static TheoryData<bool> ContextTakeover => [true, false];

    [Theory]
    [MemberData(nameof(ContextTakeover))]
    public async Task Rfc7692_ChromiumExchangesCompressedMessagesWithAndWithoutContextTakeover(bool takeover)
    {
        if (!File.Exists(Chromium)) Assert.Fail($"{Chromium} not found. Chromium interop needs: apt-get install -y chromium");
        var handler = new ResultReportingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o => o.Compression = new PerMessageDeflateOptions
        {
            ServerNoContextTakeover = !takeover,
            ClientNoContextTakeover = !takeover,
        });
        string profile = Directory.CreateTempSubdirectory("wsserver-chromium-").FullName;
        string page = $"file://{Path.Combine(AppContext.BaseDirectory, "Interop", "deflate_page.html")}?port={server.Port}";
        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", page })
            start.ArgumentList.Add(argument);

        using Process browser = Process.Start(start)!;
        Task<string> stderr = browser.StandardError.ReadToEndAsync();
        _ = browser.StandardOutput.ReadToEndAsync();
        try
        {
            string result = await handler.Result.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("OK 30 messages", result, StringComparison.Ordinal);
            string? extensions = await handler.Extensions.Task.Bounded();
            Assert.StartsWith("permessage-deflate", extensions, StringComparison.Ordinal);
            Assert.Equal(!takeover, extensions!.Contains("server_no_context_takeover", StringComparison.Ordinal));
            Assert.Contains(extensions, result, StringComparison.Ordinal);
        }
        catch (TimeoutException)
        {
            browser.Kill(entireProcessTree: true);
            Assert.Fail($"Chromium reported nothing: {await stderr}");
        }
        finally
        {
            if (!browser.HasExited) browser.Kill(entireProcessTree: true);
            await browser.WaitForExitAsync(Timeouts.Token());
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } // a late write by a dying browser
        }
    }
}
