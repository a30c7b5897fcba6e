using System.Net.WebSockets;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Hardening;

/// <summary>A peer that resets mid-frame, vanishes, half-closes or sends garbage after the upgrade
/// affects only itself: its connection ends as it must, and a bystander goes on echoing.</summary>
public sealed class FaultTests
{
    public static TheoryData<string> Faults => ["reset mid-frame", "half-close mid-frame", "half-close between frames", "garbage"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AFaultyPeerEndsOnlyItsOwnConnection(string fault)
    {
        var handler = new RecordingHandler();
        await using TestServer server = await TestServer.StartAsync(handler);
        using ClientWebSocket bystander = await server.ConnectAsync();
        await handler.FirstOpened.Task.Bounded();
        RawClient faulty = await RawClient.ConnectAsync(server.Port);
        byte[] frame = ClientFrame.Text("a message cut short");

        switch (fault)
        {
            case "reset mid-frame":
                await faulty.SendAsync(frame[..7]);
                faulty.Reset();
                break;
            case "half-close mid-frame":
                await faulty.SendAsync(frame[..7]);
                faulty.HalfClose();
                break;
            case "half-close between frames":
                await faulty.SendAsync(frame);
                faulty.HalfClose();
                break;
            case "garbage":
                // A reserved opcode with RSV bits: RFC 6455 §5.2 fails the connection with 1002.
                await faulty.SendAsync([0xF3, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
                Assert.Equal((ushort)1002, (await faulty.ReadCloseAsync().Bounded()).CloseCode);
                break;
        }

        ConnectionClosed closed = await WaitForClosedAsync(handler);
        Assert.Equal(fault == "garbage" ? CloseCode.ProtocolError : CloseCode.AbnormalClosure, closed.Code);
        await bystander.SendTextAsync("still served");
        Assert.Equal("still served", await bystander.ReceiveTextAsync().Bounded());
        Assert.Equal(1, server.Server.ConnectionCount);
        await faulty.DisposeAsync();
    }

    private static async Task<ConnectionClosed> WaitForClosedAsync(RecordingHandler handler)
    {
        for (int i = 0; i < 200 && handler.Closed.IsEmpty; i++) await Task.Delay(50);
        return Assert.Single(handler.Closed).Closed;
    }
}
