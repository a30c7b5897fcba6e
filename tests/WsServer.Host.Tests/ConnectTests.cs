using System.Net;
using System.Net.Sockets;
using WsServer.Host.Tests.TestSupport;
using WsServer.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary><c>wsserver connect URL</c>, the client for people, driven through standard input as a person
/// would: lines typed are sent, messages received are printed, end of input closes with 1000.</summary>
public sealed class ConnectTests
{
    private static string BytesHandler => $"{HostProcess.TestAssemblyPath}:WsServer.Host.Tests.TestHandlers.BytesHandler";

    [Fact]
    public async Task ALineTypedIsEchoedAndEndOfInputClosesWith1000AndExitsZero()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", "echo");
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", uri.ToString());

            await client.WriteLineAsync("hello, server");
            await client.WaitForStdoutAsync(l => l == "hello, server");
            client.CloseInput();

            Assert.Equal(0, await client.WaitForExitAsync());
            await server.WaitForStdoutAsync(l => l.Contains("closed by the peer with 1000", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task SigtermClosesWith1000AndExitsZero()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", "echo");
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", uri.ToString());
            await client.WriteLineAsync("still here");
            await client.WaitForStdoutAsync(l => l == "still here");

            client.Terminate();

            Assert.Equal(0, await client.WaitForExitAsync());
            await server.WaitForStdoutAsync(l => l.Contains("closed by the peer with 1000", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task TheServersCloseEndsTheClientWithItsCode()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", "echo");
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", uri.ToString());
            await client.WriteLineAsync("hello");
            await client.WaitForStdoutAsync(l => l == "hello");

            server.Terminate();

            // The server drains with 1001 (going away): the client says so and exits 0.
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Contains(client.Stderr, l => l.StartsWith("closed with 1001", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AServerCloseWithAnotherCodeExitsOneNamingIt()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", BytesHandler);
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", uri.ToString());

            await client.WriteLineAsync("close");

            Assert.Equal(1, await client.WaitForExitAsync());
            Assert.Equal("wsserver connect: the connection closed with 4001 (bye)", client.Stderr[^1]);
        }
    }

    [Fact]
    public async Task ABinaryMessageIsPrintedAsItsLengthAndHex()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", BytesHandler);
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", uri.ToString());

            await client.WriteLineAsync("AB\u00e9");

            await client.WaitForStdoutAsync(l => l == "[binary, 4 bytes] 41 42 c3 a9");
            client.CloseInput();
            Assert.Equal(0, await client.WaitForExitAsync());
        }
    }

    [Fact]
    public async Task HeadersAndASubprotocolAreSent()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", BytesHandler, "--subprotocol", "chat.v1");
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", uri.ToString(),
                "--header", "X-Test: forty two", "--subprotocol", "chat.v1");

            await client.WriteLineAsync("header");

            await client.WaitForStdoutAsync(l => l == "X-Test=forty two");
            client.CloseInput();
            Assert.Equal(0, await client.WaitForExitAsync());
            Assert.Contains(client.Stderr, l => l.Contains("subprotocol chat.v1", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ARefusedHandshakeExitsNonZeroNamingTheStatus()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--route", "/echo=echo");
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", new Uri(uri, "/missing").ToString());

            Assert.NotEqual(0, await client.WaitForExitAsync());
            string line = Assert.Single(client.Stderr);
            Assert.Contains("404", line, StringComparison.Ordinal);
            Assert.StartsWith("wsserver connect: ", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnOriginTheServerAllowsIsSentWithOriginAndConnects()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", "echo", "--allow-origin", "https://good.example");
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", "--origin", "https://good.example", uri.ToString());

            await client.WriteLineAsync("from a good page");
            await client.WaitForStdoutAsync(l => l == "from a good page");
            client.CloseInput();

            Assert.Equal(0, await client.WaitForExitAsync());
        }
    }

    [Fact]
    public async Task AnOriginTheServerRefusesPrintsTheStatusAndTheRefusalsBodyAndExitsNonZero()
    {
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--handler", "echo", "--allow-origin", "https://good.example");
        using (server)
        {
            using HostProcess client = HostProcess.Start("connect", "--origin", "https://evil.example", uri.ToString());

            Assert.Equal(1, await client.WaitForExitAsync());
            Assert.Equal("wsserver connect: the server refused the WebSocket handshake with 403 Forbidden: origin not allowed: https://evil.example",
                Assert.Single(client.Stderr));
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/")]
    [InlineData("localhost:8080")]
    [InlineData("not a url")]
    public async Task AUrlThatIsNotWsOrWssIsOneLineAndExitCodeTwo(string url)
    {
        using HostProcess client = HostProcess.Start("connect", url);

        Assert.Equal(2, await client.WaitForExitAsync());
        string line = Assert.Single(client.Stderr);
        Assert.Contains("is not a ws:// or wss:// URL", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClosedPortSaysConnectionRefused()
    {
        int port = TakenPort.Free();

        using HostProcess client = HostProcess.Start("connect", $"ws://127.0.0.1:{port}/");

        Assert.Equal(1, await client.WaitForExitAsync());
        string line = Assert.Single(client.Stderr);
        Assert.Contains("connection refused", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WssToASelfSignedServerNeedsInsecure()
    {
        using var certificate = TestCertificate.Create();
        (HostProcess server, Uri uri) = await HostProcess.StartServingAsync("--cert", certificate.CertPath, "--key", certificate.KeyPath);
        using (server)
        {
            string url = $"wss://localhost:{uri.Port}/";
            using (HostProcess refused = HostProcess.Start("connect", url))
            {
                Assert.Equal(1, await refused.WaitForExitAsync());
                Assert.Contains("--insecure", Assert.Single(refused.Stderr), StringComparison.Ordinal);
            }

            using HostProcess client = HostProcess.Start("connect", url, "--insecure");
            await client.WriteLineAsync("over tls");
            await client.WaitForStdoutAsync(l => l == "over tls");
            client.CloseInput();
            Assert.Equal(0, await client.WaitForExitAsync());
        }
    }

    [Fact]
    public async Task HelpNamesTheCommandAndEveryFlag()
    {
        using (HostProcess root = HostProcess.Start("--help"))
        {
            Assert.Equal(0, await root.WaitForExitAsync());
            Assert.Contains(root.Stdout, l => l.TrimStart().StartsWith("connect", StringComparison.Ordinal));
        }
        using HostProcess help = HostProcess.Start("connect", "--help");

        Assert.Equal(0, await help.WaitForExitAsync());
        string text = string.Join('\n', help.Stdout);
        foreach (string flag in new[] { "<url>", "--header", "--subprotocol", "--insecure", "--no-compression" })
            Assert.Contains(flag, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHeaderWithoutAColonIsAUsageError()
    {
        using HostProcess client = HostProcess.Start("connect", "ws://127.0.0.1:1/", "--header", "NoColon");

        Assert.Equal(2, await client.WaitForExitAsync());
        Assert.Contains("--header", Assert.Single(client.Stderr), StringComparison.Ordinal);
    }
}
