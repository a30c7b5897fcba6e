using System.Text;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Conformance;

/// <summary>RFC 6455 §5.4 Fragmentation, over a raw socket.</summary>
public sealed class Rfc6455FragmentationTests
{
    private static byte[] Fragments(int opcode, params string[] parts) =>
        [.. parts.SelectMany((p, i) => ClientFrame.Build(i == 0 ? opcode : 0, Encoding.UTF8.GetBytes(p), fin: i == parts.Length - 1))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(1000)]
    public async Task Rfc6455_5_4_AMessageIn1ToManyFragmentsIsEchoedWhole(int count)
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        string[] parts = [.. Enumerable.Range(0, count).Select(i => $"[{i}]")];

        await client.SendAsync(Fragments(1, parts));
        await client.SendAsync(Fragments(2, parts), chunk: 3);

        await client.ExpectTextAsync(string.Concat(parts));
        await client.ExpectMessageAsync(2, Encoding.UTF8.GetBytes(string.Concat(parts)));
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc6455_5_4_ControlFramesBetweenFragmentsAreAnsweredFirst()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([
            .. ClientFrame.Build(1, "frag"u8.ToArray(), fin: false), .. ClientFrame.Build(9, "p1"u8.ToArray()),
            .. ClientFrame.Build(0, "men"u8.ToArray(), fin: false), .. ClientFrame.Build(10, "pong"u8.ToArray()),
            .. ClientFrame.Build(9, "p2"u8.ToArray()), .. ClientFrame.Build(0, "ted"u8.ToArray()),
        ], chunk: 1);

        await client.ExpectPongAsync("p1"u8.ToArray());
        await client.ExpectPongAsync("p2"u8.ToArray());
        await client.ExpectTextAsync("fragmented");
        await client.CloseNormallyAsync();
    }

    [Fact]
    public async Task Rfc6455_5_4_ContinuationWithoutAStartFailsWith1002()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Text("ok"), .. ClientFrame.Build(0, "orphan"u8.ToArray())]);

        await client.ExpectTextAsync("ok");
        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc6455_5_4_ANewMessageInsideAnOpenOneFailsWith1002()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync([.. ClientFrame.Text("open", fin: false), .. ClientFrame.Text("intruder")]);

        await client.ExpectCloseAsync(1002);
    }

    [Fact]
    public async Task Rfc6455_5_4_AnEmptyFinalFragmentEndsTheMessage()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        await client.SendAsync(Fragments(1, "abc", "", ""));
        await client.SendAsync(Fragments(1, "", "", ""));

        await client.ExpectTextAsync("abc");
        await client.ExpectTextAsync("");
        await client.CloseNormallyAsync();
    }
}
