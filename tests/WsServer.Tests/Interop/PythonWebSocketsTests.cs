using System.Diagnostics;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Interop;

/// <summary>Interop with a client this project did not write: Python's <c>websockets</c>, from Debian's
/// python3-websockets, run by Debian's own /usr/bin/python3 (not the pyenv one first on PATH).</summary>
public sealed class PythonWebSocketsTests
{
    internal const string Python = "/usr/bin/python3";

    [Fact]
    public async Task PythonClientEchoesEveryLengthEdgePingsAndCloses()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());

        (int exit, string output) = await RunAsync(Path.Combine(AppContext.BaseDirectory, "Interop", "echo_client.py"),
            server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, output);
        Assert.Contains("OK", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("takeover")]
    [InlineData("no-takeover")]
    public async Task Rfc7692_PythonClientExchangesCompressedMessagesWithAndWithoutContextTakeover(string mode)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.Compression =
            new WsServer.Protocol.Compression.PerMessageDeflateOptions { ServerNoContextTakeover = mode == "no-takeover" });

        (int exit, string output) = await RunAsync(Path.Combine(AppContext.BaseDirectory, "Interop", "deflate_client.py"),
            server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), mode);

        Assert.True(exit == 0, output);
        Assert.Contains("OK permessage-deflate", output, StringComparison.Ordinal);
    }

    internal static async Task<(int Exit, string Output)> RunAsync(params string[] arguments)
    {
        EnsurePythonWebSockets();
        return await ExternalProcess.RunAsync(Python, null, arguments);
    }

    internal static void EnsurePythonWebSockets()
    {
        const string hint = "Python interop needs Debian's python3 with websockets: apt-get install -y python3-websockets";
        if (!File.Exists(Python)) Assert.Fail($"{Python} not found. {hint}");
        using Process probe = Process.Start(new ProcessStartInfo(Python, "-c \"import websockets\"") { RedirectStandardError = true })!;
        probe.WaitForExit(30_000);
        if (probe.ExitCode != 0) Assert.Fail($"{hint} ({probe.StandardError.ReadToEnd().Trim()})");
    }
}
