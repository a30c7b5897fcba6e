using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Hardening;

/// <summary>Peers that would keep the server busy for nothing: one that floods on after the server failed its
/// connection is cut after a bounded read, not read at wire speed until the close timeout; one that keeps a
/// message open with empty continuation frames is closed with 1009 at the frame limit.</summary>
public sealed class HostilePeerTests
{
    [Fact]
    public async Task AFloodAfterTheServerFailedTheConnectionIsCutAfterABoundedRead()
    {
        // Only the bound can end it: the close timeout is far away.
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.CloseTimeout = TimeSpan.FromMinutes(10));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        // A binary frame announcing 1 GiB: over the 1 MiB limit, failed at its header (1009).
        byte[] header = [0x82, 0x80 | 127, 0, 0, 0, 0, 0x40, 0, 0, 0, .. ClientFrame.Key];
        await client.SendAsync(header);
        Assert.Equal((ushort)1009, (await client.ReadFrameAsync())!.Value.CloseCode);

        const long Cap = 256L << 20;
        long sent = 0;
        var chunk = new byte[64 * 1024];
        try
        {
            while (sent < Cap)
            {
                await client.SendAsync(chunk);
                sent += chunk.Length;
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            // Cut: what was sent is the server's read bound plus what the two sockets' buffers held.
        }

        Assert.True(sent < 64L << 20, $"the server read {sent >> 20} MiB of the flood before cutting it");
    }

    [Fact]
    public async Task AMessageKeptOpenWithEmptyContinuationsIsClosedWith1009AtTheFrameLimit()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.MaxFragmentsPerMessage = 100);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        byte[] empty = ClientFrame.Build(0, [], fin: false);
        await client.SendAsync([.. ClientFrame.Text("a", fin: false), .. Enumerable.Range(0, 98).SelectMany(_ => empty), .. ClientFrame.Build(0, "b"u8.ToArray())]);
        await client.ExpectTextAsync("ab"); // 100 frames: at the limit, delivered

        await client.SendAsync([.. ClientFrame.Text("a", fin: false), .. Enumerable.Range(0, 200).SelectMany(_ => empty)]);

        ReceivedFrame close = (await client.ReadFrameAsync())!.Value;
        Assert.Equal((ushort)1009, close.CloseCode);
        Assert.Contains("too many fragments", close.Text, StringComparison.Ordinal);
    }
}
