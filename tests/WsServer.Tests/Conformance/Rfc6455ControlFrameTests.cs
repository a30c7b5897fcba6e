using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Conformance;

/// <summary>RFC 6455 §5.5 Control Frames, §5.5.2 Ping and §5.5.3 Pong, over a raw socket.</summary>
public sealed class Rfc6455ControlFrameTests
{
    [Fact]
    public async Task Rfc6455_5_5_2_PingsOf0To125BytesAreAnsweredWithIdenticalPongs()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        for (int length = 0; length <= 125; length++)
        {
            byte[] payload = BulkFrames.Random(length);
            await client.SendAsync(ClientFrame.Build(9, payload), chunk: length % 2 == 0 ? int.MaxValue : 1);
            await client.ExpectPongAsync(payload);
        }
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc6455_5_5_PingWith126BytesFailsWith1002()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(ClientFrame.Build(9, new byte[126]));

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc6455_5_5_FragmentedPingFailsWith1002()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Build(9, "ab"u8.ToArray(), fin: false), .. ClientFrame.Build(0, "cd"u8.ToArray())]);

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc6455_5_5_3_UnsolicitedPongsAreIgnored()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Build(10, []), .. ClientFrame.Build(10, "unsolicited"u8.ToArray()), .. ClientFrame.Text("after")]);

        await client.ExpectTextAsync("after");
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc6455_5_5_2_TenPingsInARowAreEachAnsweredInOrder()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. Enumerable.Range(0, 10).SelectMany(i => ClientFrame.Build(9, [(byte)i, .. "ping"u8]))]);

        for (int i = 0; i < 10; i++) await client.ExpectPongAsync([(byte)i, .. "ping"u8]);
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc6455_5_5_2_PongIsSentBeforeTheCloseThatAFollowingBadFrameCauses()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Build(9, "owed"u8.ToArray()), .. ClientFrame.Build(1, "x"u8.ToArray(), rsv: 2)]);

        await client.ExpectPongAsync("owed"u8.ToArray());
        await client.ExpectCloseAsync(1002);
    }
}
