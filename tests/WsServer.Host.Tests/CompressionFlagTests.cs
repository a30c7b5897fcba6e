using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary><c>--compression</c> (the default) and <c>--no-compression</c>: permessage-deflate (RFC 7692)
/// as a client that offers it sees it, through <see cref="ClientWebSocket"/>'s own deflate support.</summary>
public sealed class CompressionFlagTests
{
    private static async Task<string?> NegotiatedExtensionsAsync(params string[] args)
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync(args);
        using (host)
        {
            using var client = new ClientWebSocket();
            client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
            client.Options.CollectHttpResponseDetails = true;
            await client.ConnectAsync(uri, CancellationToken.None).WaitAsync(HostProcess.Timeout);

            string text = string.Concat(Enumerable.Repeat("compressible text ", 1000));
            await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);
            Assert.Equal(text, Encoding.UTF8.GetString((await client.ReceiveMessageAsync()).Data));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure);
            return client.HttpResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out IEnumerable<string>? values) == true
                ? string.Join(", ", values) : null;
        }
    }

    [Fact]
    public async Task CompressionIsNegotiatedByDefault() =>
        Assert.StartsWith("permessage-deflate", await NegotiatedExtensionsAsync("--handler", "echo"), StringComparison.Ordinal);

    [Fact]
    public async Task CompressionFlagNegotiatesIt() =>
        Assert.StartsWith("permessage-deflate", await NegotiatedExtensionsAsync("--compression"), StringComparison.Ordinal);

    [Fact]
    public async Task NoCompressionFlagDeclinesIt() =>
        Assert.Null(await NegotiatedExtensionsAsync("--no-compression"));

    [Fact]
    public async Task BothFlagsAreAUsageError()
    {
        using HostProcess host = HostProcess.Start("--compression", "--no-compression");

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Contains("--no-compression", Assert.Single(host.Stderr), StringComparison.Ordinal);
    }
}
