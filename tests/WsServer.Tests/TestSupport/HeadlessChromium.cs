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

    /// <summary>Opens <paramref name="url"/>; fails the test with the install command when Chromium is missing.</summary>
    public static HeadlessChromium Open(string url)
    {
        if (!File.Exists(Executable)) Assert.Fail($"{Executable} not found. Chromium interop needs: apt-get install -y chromium");
        string profile = Directory.CreateTempSubdirectory("wsserver-chromium-").FullName;
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The flags keep a headless browser off the network this machine does not have.
        foreach (string argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", url })
            start.ArgumentList.Add(argument);
        return new HeadlessChromium(Process.Start(start)!, profile);
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
