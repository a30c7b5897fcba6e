using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Conformance;

/// <summary>RFC 6455 §5.2 Base Framing Protocol and §5.6 Data Frames, over a raw socket: lengths at
/// every encoding edge, split anywhere, many frames per write, reserved bits and opcodes.</summary>
public sealed class Rfc6455FramingTests
{
    public static TheoryData<int> Lengths => [0, 1, 125, 126, 127, 128, 65535, 65536, 65537];

    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task Rfc6455_5_6_TextAndBinaryOfEveryLengthEdgeAreEchoed(int length)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        byte[] text = System.Text.Encoding.ASCII.GetBytes(new string('*', length));
        byte[] binary = BulkFrames.Random(length);

        await client.SendAsync(ClientFrame.Build(1, text));
        await client.ExpectMessageAsync(1, text);
        await client.SendAsync(ClientFrame.Build(2, binary), chunk: 997);
        await client.ExpectMessageAsync(2, binary);
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc6455_5_2_AFrameSplitAtEveryByteIsEchoed()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        byte[] payload = BulkFrames.Random(130);
        byte[] frame = ClientFrame.Build(2, payload);

        for (int split = 1; split < frame.Length; split++)
        {
            await client.SendAsync(frame[..split]);
            await client.SendAsync(frame[split..]);
            await client.ExpectMessageAsync(2, payload);
        }
        await client.SendAsync(frame, chunk: 1);
        await client.ExpectMessageAsync(2, payload);
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc6455_5_2_ManyFramesInOneWriteAreEchoedInOrder()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. Enumerable.Range(0, 100).SelectMany(i => ClientFrame.Text($"message {i}"))]);

        for (int i = 0; i < 100; i++) await client.ExpectTextAsync($"message {i}");
        await client.CloseNormallyAsync();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public async Task Rfc6455_5_2_ReservedBitsFailWith1002AfterTheEchoAlreadyOwed(int rsv)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.Compression = WsServer.Protocol.Compression.PerMessageDeflateOptions.Disabled);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Text("before"), .. ClientFrame.Build(1, "bad"u8.ToArray(), rsv: rsv), .. ClientFrame.Build(9, [])]);

        await client.ExpectTextAsync("before");
        await client.ExpectCloseAsync(1002);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public async Task Rfc6455_5_2_ReservedOpcodesFailWith1002AfterTheEchoAlreadyOwed(int opcode)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Text("before"), .. ClientFrame.Build(opcode, "x"u8.ToArray()), .. ClientFrame.Text("after")]);

        await client.ExpectTextAsync("before");
        await client.ExpectCloseAsync(1002);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(1024 * 1024)]
    [InlineData(4 * 1024 * 1024)]
    public async Task Rfc6455_10_4_A16MiBMessageFragmentedIntoFramesIsEchoed(int frameSize)
    {
        const int size = 16 * 1024 * 1024;
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.MaxMessageSize = size);
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        byte[] message = BulkFrames.Random(size);

        Task sending = client.SendAsync(BulkFrames.Fragmented(2, message, frameSize), chunk: 256 * 1024);
        await client.ExpectMessageAsync(2, message);
        await sending;
        await client.CloseNormallyAsync();
    }
}
