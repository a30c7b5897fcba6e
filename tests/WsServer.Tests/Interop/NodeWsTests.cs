using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Interop;

/// <summary>Interop with the Node <c>ws</c> client (npm), installed in tests/interop-node.</summary>
public sealed class NodeWsTests
{
    [Fact]
    public async Task NodeWsClientEchoesEveryLengthEdgePingsAndCloses()
    {
        string folder = InteropFolder();
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());

        (int exit, string output) = await ExternalProcess.RunAsync("node", folder, "echo_client.mjs",
            server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, output);
        Assert.Contains("OK", output, StringComparison.Ordinal);
    }

    /// <summary>tests/interop-node with its node_modules; fails with the install command when missing.</summary>
    private static string InteropFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "interop-node");
            if (!Directory.Exists(candidate)) continue;
            if (!Directory.Exists(Path.Combine(candidate, "node_modules", "ws")))
                Assert.Fail($"Node interop needs the ws package: run `npm ci --prefix {candidate}` (and node 20 on PATH).");
            return candidate;
        }
        Assert.Fail("tests/interop-node not found above the test assembly.");
        return "";
    }
}
