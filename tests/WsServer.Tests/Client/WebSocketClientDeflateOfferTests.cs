using System.Buffers;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Protocol.Compression;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Client;

/// <summary>RFC 7692 §7.1 from the client: the offer <see cref="WebSocketClientOptions.DeflateOffer"/> shapes, as
/// it goes on the wire, and the agreed parameters honoured by the project's server.</summary>
public sealed class WebSocketClientDeflateOfferTests
{
    private static readonly DeflateParameters Everything = new(
        ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 12);

    /// <summary>A message of 3000 random bytes, sent twice by <see cref="EchoTwiceAsync"/>: a compressor that
    /// keeps its context refers the second back to the first, 3000 bytes back, which a decompressor with a
    /// window of 2^10 bytes, or one that resets after each message, cannot follow. So the second echo reads only
    /// if the server kept to the agreed window and to the context takeover each side agreed to.</summary>
    internal static (string Text, byte[] Binary) Repeated()
    {
        var random = new Random(7692);
        byte[] data = new byte[3000];
        random.NextBytes(data);
        return (string.Concat(data.Select(b => (char)('a' + (b % 26)))), data);
    }

    /// <summary>Sends <see cref="Repeated"/> twice as text and twice as binary, and checks each echo.</summary>
    internal static async Task EchoTwiceAsync(WebSocketClient client)
    {
        (string text, byte[] binary) = Repeated();
        for (int i = 0; i < 2; i++)
        {
            await client.SendAsync(text, Timeouts.Token());
            await client.SendAsync(binary, Timeouts.Token());
            WebSocketMessage textEcho = await client.ReceiveAsync(Timeouts.Token());
            Assert.Equal(MessageType.Text, textEcho.Type);
            Assert.Equal(text, textEcho.GetText());
            WebSocketMessage binaryEcho = await client.ReceiveAsync(Timeouts.Token());
            Assert.Equal(MessageType.Binary, binaryEcho.Type);
            Assert.Equal(binary, binaryEcho.Payload.ToArray());
        }
    }

    [Fact]
    public async Task TheShapedOfferIsTheExtensionHeaderOnTheWire()
    {
        using var peer = new HandwrittenPeer();
        await using WebSocketClient client = await peer.ConnectAsync(new WebSocketClientOptions { DeflateOffer = Everything },
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=10");

        Assert.Contains("\r\nSec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover; " +
            "server_max_window_bits=10; client_max_window_bits=12\r\n", peer.RequestHead, StringComparison.Ordinal);
        Assert.Equal(Everything, client.Compression);
    }

    [Fact]
    public async Task AnAnswerThatDropsWhatWasOfferedFailsTheHandshake()
    {
        using var peer = new HandwrittenPeer();

        var refused = await Assert.ThrowsAsync<WebSocketHandshakeException>(() =>
            peer.ConnectAsync(new WebSocketClientOptions { DeflateOffer = Everything }, "permessage-deflate; server_max_window_bits=10"));

        Assert.Contains("server_no_context_takeover", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOfferWithAWindowOutOfRangeIsRefusedBeforeConnecting() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => WebSocketClient.ConnectAsync(new Uri("ws://127.0.0.1:1/"),
            new WebSocketClientOptions { DeflateOffer = new DeflateParameters(ServerMaxWindowBits: 7) }, Timeouts.Token()));

    [Fact]
    public async Task TheProjectsServerAgreesToTheShapedOfferAndKeepsToIt()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(),
            o => o.Compression = PerMessageDeflateOptions.Default with { ServerNoContextTakeover = false, Threshold = 0 });
        var offer = new DeflateParameters(ClientNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 9);
        await using WebSocketClient client = await WebSocketClientTests.ConnectAsync(server.Uri(),
            new WebSocketClientOptions { DeflateOffer = offer });

        await EchoTwiceAsync(client);

        Assert.Equal(offer, client.Compression);
        Assert.Equal("permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9",
            client.Response.Extensions);
    }

    [Fact]
    public async Task ASecondMessageCompressedWithAWiderWindowCannotBeReadWithANarrowerOne()
    {
        // The check of the check: what a server keeping its 2^15-byte context sends the second time cannot be read
        // by a client that believes the server's window is 2^10 bytes, so the echoes above prove the window kept.
        (_, byte[] binary) = Repeated();
        using var deflater = new PayloadDeflater(DeflateParameters.MaxWindowBits, noContextTakeover: false);
        using var wide = new PayloadInflater(DeflateParameters.MaxWindowBits, noContextTakeover: false);
        using var narrow = new PayloadInflater(10, noContextTakeover: false);
        byte[] output = new byte[binary.Length * 2];
        for (int message = 0; message < 2; message++)
        {
            using CompressedPayload compressed = deflater.Compress(binary);
            byte[] input = [.. compressed.Span, .. PayloadInflater.FlushTail];

            Assert.Equal(OperationStatus.Done, wide.Inflate(input, output, out _, out int written));
            Assert.Equal(binary, output[..written]);
            Assert.Equal(message == 0 ? OperationStatus.Done : OperationStatus.InvalidData, narrow.Inflate(input, output, out _, out _));
        }
    }
}
