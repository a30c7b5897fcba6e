using System.Buffers.Binary;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Conformance;

/// <summary>RFC 6455 §5.5.1 Close and §7.4 Status Codes, over a raw socket.</summary>
public sealed class Rfc6455CloseTests
{
    public static TheoryData<int> ValidCodes =>
        [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];

    public static TheoryData<int> InvalidCodes =>
        [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

    [Theory]
    [MemberData(nameof(ValidCodes))]
    public async Task Rfc6455_7_4_EveryValidCodeIsEchoed(int code)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(ClientFrame.Close((ushort)code, "reason"));

        await client.ExpectCloseAsync((ushort)code);
    }

    [Theory]
    [MemberData(nameof(InvalidCodes))]
    public async Task Rfc6455_7_4_EveryInvalidCodeFailsWith1002(int code)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(ClientFrame.Close((ushort)code));

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc6455_5_5_1_AnEmptyCloseIsEchoedEmpty()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(ClientFrame.Build(8, []));

        await client.ExpectCloseAsync(null);
    }

    [Fact]
    public async Task Rfc6455_5_5_1_AOneByteCloseBodyFailsWith1002()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(ClientFrame.Build(8, [0x03]));

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc6455_5_5_1_ACloseReasonThatIsNotUtf8FailsWith1007()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        byte[] payload = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, 1000);
        new byte[] { 0xCE, 0xBA, 0xED, 0xA0 }.CopyTo(payload, 2);

        await client.SendAsync(ClientFrame.Build(8, payload));

        await client.ExpectCloseAsync(1007);
    }

    [Fact]
    public async Task Rfc6455_1_4_DataAfterTheCloseIsIgnoredAndTheServerClosesTcp()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Text("echoed"), .. ClientFrame.Close(1000), .. ClientFrame.Text("ignored"),
            .. ClientFrame.Build(9, []), .. ClientFrame.Build(1, "bad"u8.ToArray(), rsv: 7)]);

        await client.ExpectTextAsync("echoed");
        await client.ExpectCloseAsync(1000);
    }
}
