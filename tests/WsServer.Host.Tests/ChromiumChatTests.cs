using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>A real browser in the chat: headless Chromium (Debian's <c>chromium</c>) loads the chat page
/// from the program, joins over WebSocket (with permessage-deflate, which Chromium offers) and says
/// hello; a .NET member of the room hears it.</summary>
public sealed class ChromiumChatTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task ChromiumLoadsTheChatPageJoinsAndIsHeardByTheRoom()
    {
        if (!File.Exists(Chromium)) Assert.Fail($"{Chromium} not found. Chromium interop needs: apt-get install -y chromium");
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", "chat");
        using (host)
        {
            using ClientWebSocket member = await Client.ConnectAsync(new Uri(uri, "/chat"));
            string profile = Directory.CreateTempSubdirectory("wsserver-chromium-").FullName;
            using Process browser = StartChromium(profile, $"http://{uri.Authority}/?say=hello-from-chromium");
            try
            {
                (_, byte[] heard) = await member.ReceiveMessageAsync();
                Assert.Equal("hello-from-chromium", Encoding.UTF8.GetString(heard));
            }
            finally
            {
                if (!browser.HasExited) browser.Kill(entireProcessTree: true);
                await browser.WaitForExitAsync();
                try { Directory.Delete(profile, recursive: true); } catch (IOException) { } // a late write by a dying browser
            }
        }
    }

    private static Process StartChromium(string profile, string url)
    {
        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", url })
            start.ArgumentList.Add(argument);
        Process browser = Process.Start(start)!;
        _ = browser.StandardOutput.ReadToEndAsync();
        _ = browser.StandardError.ReadToEndAsync();
        return browser;
    }
}
