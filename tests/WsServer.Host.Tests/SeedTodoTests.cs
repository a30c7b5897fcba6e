using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary>The program's routes, config file, TLS flags and the Greeter sample, end to end.</summary>
public sealed class SeedTodoTests
{
    private static string GreeterSpec => $"{Path.Combine(AppContext.BaseDirectory, "Greeter.dll")}:Greeter.GreeterHandler";

    private static async Task<string> ReceiveTextAsync(ClientWebSocket client)
    {
        (WebSocketMessageType type, byte[] data) = await client.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return Encoding.UTF8.GetString(data);
    }

    private static async Task<string> StatusLineAsync(Uri uri, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await tcp.GetStream().WriteAsync(PlainHttp.UpgradeRequest(path, uri.Authority));
        using var reader = new StreamReader(tcp.GetStream(), Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(HostProcess.Timeout);
    }

    [Fact]
    public async Task GreeterGreetsByNameAndAddressAndRefusesWithoutAName()
    {
        Assert.True(File.Exists(GreeterSpec[..GreeterSpec.LastIndexOf(':')]), "Greeter.dll was not built");
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--handler", GreeterSpec);
        using (host)
        {
            using ClientWebSocket client = await BclClient.ConnectAsync(new Uri(uri, "/?name=ada"));
            string hello = await ReceiveTextAsync(client);
            await client.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text);

            Assert.Matches(@"^hello ada from 127\.0\.0\.1:\d+$", hello);
            Assert.Equal("ada: hi", await ReceiveTextAsync(client));
            string refused = await StatusLineAsync(uri, "/");
            Assert.StartsWith("HTTP/1.1 403 ", refused, StringComparison.Ordinal);
            Assert.EndsWith("\r\n\r\nname required", refused, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RoutesServeTheirPathsAndOtherPathsGet404()
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--route", "/echo=echo", "--route", $"/greet/*={GreeterSpec}");
        using (host)
        {
            using ClientWebSocket greeter = await BclClient.ConnectAsync(new Uri(uri, "/greet/x?name=bo"));

            Assert.StartsWith("hello bo from ", await ReceiveTextAsync(greeter), StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 101 ", await FirstLineAsync(uri, "/echo"), StringComparison.Ordinal);
            Assert.StartsWith("HTTP/1.1 404 ", await StatusLineAsync(uri, "/other"), StringComparison.Ordinal);
        }
    }

    private static async Task<string> FirstLineAsync(Uri uri, string path)
    {
        using ClientWebSocket client = await BclClient.ConnectAsync(new Uri(uri, path));
        return client.State == WebSocketState.Open ? "HTTP/1.1 101 Switching Protocols" : client.State.ToString();
    }

    [Fact]
    public async Task AConfigFileWithAnUnknownKeyIsAnErrorNamingTheKey()
    {
        string config = Path.Combine(Directory.CreateTempSubdirectory("wsserver-config-").FullName, "bad.json");
        await File.WriteAllTextAsync(config, """{ "port": 0, "routes": { "/a": { "handler": "echo", "subprotocol": ["x"] } } }""");
        using HostProcess host = HostProcess.Start("--config", config);

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Contains("routes./a.subprotocol", string.Join('\n', host.Stderr), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConfigFileGivesRoutesWithTheirOwnSubprotocols()
    {
        string config = Path.Combine(Directory.CreateTempSubdirectory("wsserver-config-").FullName, "good.json");
        await File.WriteAllTextAsync(config, """{ "routes": { "/chat": { "handler": "echo", "subprotocols": ["b", "a"] } } }""");
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync("--config", config);
        using (host)
        {
            using var client = new ClientWebSocket();
            client.Options.AddSubProtocol("a");
            client.Options.AddSubProtocol("b");
            await client.ConnectAsync(new Uri(uri, "/chat"), new CancellationTokenSource(HostProcess.Timeout).Token);

            Assert.Equal("b", client.SubProtocol);
            Assert.StartsWith("HTTP/1.1 404 ", await StatusLineAsync(uri, "/elsewhere"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AMissingCertificateFailsAtStartNamingTheFile()
    {
        using HostProcess host = HostProcess.Start("--port", "0", "--cert", "/nonexistent/cert.pem", "--key", "/nonexistent/key.pem");

        Assert.Equal(1, await host.WaitForExitAsync());
        Assert.Contains("/nonexistent/cert.pem", string.Join('\n', host.Stderr), StringComparison.Ordinal);
    }
}
