using System.IO.Compression;
using System.Text;
using WsServer.Protocol.Compression;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Conformance;

/// <summary>RFC 7692 permessage-deflate over a raw socket: negotiation in the upgrade, compressed
/// messages both ways (encoded and decoded here by the BCL's DeflateStream, not the server's codec),
/// RSV1 rules, and the size limit on the inflated size.</summary>
public sealed class Rfc7692CompressionTests
{
    private const string Offer = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits\r\n";

    private static byte[] Deflate(byte[] message)
    {
        // §7.2.3.6: an empty message is one 0x00 byte (the BCL writes nothing for an empty flush).
        if (message.Length == 0) return [0x00];
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(message);
            deflate.Flush();
        }
        byte[] bytes = buffer.ToArray();
        return bytes[..bytes.AsSpan().LastIndexOf(PayloadInflater.FlushTail)];
    }

    private static byte[] Inflate(byte[] payload)
    {
        using var deflate = new DeflateStream(new MemoryStream([.. payload, 0x00, 0x00, 0xFF, 0xFF]), CompressionMode.Decompress);
        using var output = new MemoryStream();
        deflate.CopyTo(output);
        return output.ToArray();
    }

    private static async Task<byte[]> ReadCompressedAsync(RawClient client, int opcode)
    {
        ReceivedFrame? frame = await client.ReadFrameAsync();
        Assert.Equal(opcode, frame?.Opcode);
        Assert.True(frame!.Value.Fin);
        Assert.Equal(4, frame.Value.Rsv);
        return Inflate(frame.Value.Payload);
    }

    [Fact]
    public async Task Rfc7692_7_1_1_1_ByDefaultTheServerResetsItsCompressorAfterEachMessage()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port,
            extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");

        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n",
            client.ResponseHead, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("permessage-deflate", "permessage-deflate")]
    [InlineData("permessage-deflate; client_max_window_bits", "permessage-deflate")]
    [InlineData("permessage-deflate; server_max_window_bits=10; client_max_window_bits=9", "permessage-deflate; server_max_window_bits=10; client_max_window_bits=9")]
    [InlineData("permessage-deflate; bogus, permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover")]
    public async Task Rfc7692_7_1_TheUpgradeAnswersTheFirstAcceptableOffer(string offer, string answer)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(),
            o => o.Compression = new PerMessageDeflateOptions { ServerNoContextTakeover = false });
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: $"Sec-WebSocket-Extensions: {offer}\r\n");

        Assert.Contains($"Sec-WebSocket-Extensions: {answer}\r\n", client.ResponseHead, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; client_no_context_takeover; client_no_context_takeover")]
    [InlineData("x-webkit-deflate-frame")]
    public async Task Rfc7692_7_1_AnOfferThatCannotBeHonouredIsDeclined(string offer)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: $"Sec-WebSocket-Extensions: {offer}\r\n");

        Assert.DoesNotContain("Sec-WebSocket-Extensions", client.ResponseHead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc7692_5_ARouteWithCompressionDisabledDeclinesIt()
    {
        await using TestServer server = await TestServer.StartAsync(o =>
            o.Routes.Map("/plain", new EchoHandler(), new WebSocketRouteOptions { Compression = PerMessageDeflateOptions.Disabled }));
        await using RawClient client = await RawClient.ConnectAsync(server.Port, "/plain", Offer);

        Assert.DoesNotContain("Sec-WebSocket-Extensions", client.ResponseHead, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(65536)]
    [InlineData(1024 * 1024)]
    public async Task Rfc7692_7_2_CompressedMessagesAreEchoedCompressed(int length)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.MaxMessageSize = 2 * 1024 * 1024);
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: Offer);
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 7))));
        byte[] binary = BulkFrames.Random(length);

        await client.SendAsync(ClientFrame.Build(1, Deflate(text), rsv: 4), chunk: 1000);
        await client.SendAsync(ClientFrame.Build(2, Deflate(binary), rsv: 4));

        // Below the 64-byte threshold the echo goes plain, which §6 allows.
        if (length < 64)
        {
            await client.ExpectMessageAsync(1, text);
            await client.ExpectMessageAsync(2, binary);
        }
        else
        {
            Assert.Equal(text, await ReadCompressedAsync(client, 1));
            Assert.Equal(binary, await ReadCompressedAsync(client, 2));
        }
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc7692_6_1_AFragmentedCompressedMessageHasRsv1OnItsFirstFrameOnly()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: Offer);
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("fragmented and compressed ", 200)));
        byte[] compressed = Deflate(text);

        await client.SendAsync(BulkFrames.Fragmented(1, compressed, frameSize: 7, rsvFirst: 4));
        await client.SendAsync(ClientFrame.Build(9, "between"u8.ToArray()));

        Assert.Equal(text, await ReadCompressedAsync(client, 1));
        await client.ExpectPongAsync("between"u8.ToArray());
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc7692_7_1_1_1_WithoutServerContextTakeoverEqualMessagesCompressEqually()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: Offer);
        byte[] text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("same message ", 30)));

        await client.SendAsync([.. ClientFrame.Build(1, Deflate(text), rsv: 4), .. ClientFrame.Build(1, Deflate(text), rsv: 4)]);

        ReceivedFrame? first = await client.ReadFrameAsync();
        ReceivedFrame? second = await client.ReadFrameAsync();
        Assert.Equal(first!.Value.Payload, second!.Value.Payload);
        Assert.Equal(text, Inflate(second.Value.Payload));
        await client.CloseNormallyAsync();
    }

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(0)]
    public async Task Rfc7692_6_1_Rsv1OnAControlOrContinuationFrameFailsWith1002(int opcode)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: Offer);
        byte[] start = opcode == 0 ? ClientFrame.Build(1, Deflate("abc"u8.ToArray()), fin: false, rsv: 4) : [];

        await client.SendAsync([.. start, .. ClientFrame.Build(opcode, Deflate("x"u8.ToArray()), rsv: 4)]);

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc7692_6_Rsv1WhenCompressionWasNotNegotiatedFailsWith1002()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(ClientFrame.Build(1, Deflate("Hello"u8.ToArray()), rsv: 4));

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc6455_10_4_ASmallFrameThatInflatesPastTheLimitFailsWith1009Early()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.MaxMessageSize = 64 * 1024);
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: Offer);
        // 1 GiB of zeros compresses to about 1 MiB; far less than that is ever sent.
        byte[] bomb = Deflate(new byte[16 * 1024 * 1024]);
        byte[] frame = ClientFrame.Build(2, bomb, rsv: 4);

        await client.SendAsync(frame[..4096]);

        await client.ExpectCloseAsync(1009);
    }

    [Fact]
    public async Task Rfc7692_8_1_InvalidUtf8InACompressedMessageFailsWith1007()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: Offer);

        await client.SendAsync(ClientFrame.Build(1, Deflate([.. "κόσμε"u8, 0xED, 0xA0, 0x80]), rsv: 4));

        await client.ExpectCloseAsync(1007);
    }

    [Theory]
    [InlineData(Offer)]
    [InlineData("Sec-WebSocket-Extensions: permessage-deflate\r\n")]
    public async Task Rfc7692_6_APreparedMessageWithoutCompressionGoesPlainOnADeflateConnection(string offer)
    {
        string text = new('s', 2000);
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/", (_, connection) =>
        {
            connection.TrySend(WsServer.PubSub.PreparedMessage.Text(text).WithoutCompression()); // a secret: never compressed
            connection.TrySend(WsServer.PubSub.PreparedMessage.Text(text));
            return WsServer.Connections.HandleResult.NoReply();
        }));
        await using RawClient client = await RawClient.ConnectAsync(server.Port, extraHeaders: offer);
        Assert.Contains("permessage-deflate", client.ResponseHead, StringComparison.Ordinal);

        await client.SendAsync(ClientFrame.Text("go"));

        ReceivedFrame plain = (await client.ReadFrameAsync())!.Value;
        Assert.Equal((0, text), (plain.Rsv, Encoding.UTF8.GetString(plain.Payload)));
        // The same text prepared for compression: the server answers server_no_context_takeover to either offer, so
        // it sends the one shared compressed frame (RSV1 set) that inflates to the text.
        ReceivedFrame compressed = (await client.ReadFrameAsync())!.Value;
        Assert.Equal(4, compressed.Rsv);
        Assert.Equal(text, Encoding.UTF8.GetString(Inflate(compressed.Payload)));
    }
}
