using WsServer.Protocol.Compression;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Interop;

/// <summary>Interop with a real browser: headless Chromium (Debian's <c>chromium</c>) loads a page that
/// exchanges compressed messages of 0 B to 1 MiB both ways and reports its verdict over the socket.</summary>
public sealed class ChromiumTests
{
    public static TheoryData<bool> ContextTakeover => [true, false];

    [Theory]
    [MemberData(nameof(ContextTakeover))]
    public async Task Rfc7692_ChromiumExchangesCompressedMessagesWithAndWithoutContextTakeover(bool takeover)
    {
        var handler = new ResultReportingHandler();
        await using TestServer server = await TestServer.StartAsync(handler, o => o.Compression = new PerMessageDeflateOptions
        {
            ServerNoContextTakeover = !takeover,
            ClientNoContextTakeover = !takeover,
        });
        string page = $"file://{Path.Combine(AppContext.BaseDirectory, "Interop", "deflate_page.html")}?port={server.Port}";

        HeadlessChromium browser = HeadlessChromium.Open(page);
        await using (browser)
        {
            string result;
            try
            {
                result = await handler.Result.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"Chromium reported nothing: {await browser.StopAndReadErrorsAsync()}");
                return;
            }
            Assert.StartsWith("OK 30 messages", result, StringComparison.Ordinal);
            string? extensions = await handler.Extensions.Task.Bounded();
            Assert.StartsWith("permessage-deflate", extensions, StringComparison.Ordinal);
            Assert.Equal(!takeover, extensions!.Contains("server_no_context_takeover", StringComparison.Ordinal));
            Assert.Contains(extensions, result, StringComparison.Ordinal);
        }
    }
}
