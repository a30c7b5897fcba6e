using System.Runtime.InteropServices;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.ConnectionCore;

/// <summary>A message in one frame reaches the handler where the server read it, unmasked there, rather than copied
/// into a buffer of its own; one that arrives in parts waits, unread, until the rest has come.</summary>
public sealed class InPlaceReadingTests
{
    [Fact]
    public async Task AMessageInOneFrameReachesTheHandlerWhereItWasReadEvenWhenItArrivesInParts()
    {
        var seen = new TaskCompletionSource<(bool InArray, int Offset, byte[] Payload)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/", (message, _) =>
        {
            bool inArray = MemoryMarshal.TryGetArray(message.Payload, out ArraySegment<byte> lies);
            seen.TrySetResult((inArray, lies.Offset, message.Payload.ToArray()));
            return HandleResult.NoReply();
        }));
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        byte[] payload = [.. Enumerable.Range(0, 100).Select(i => (byte)i)];

        // 106 bytes in writes of 50: the server may read the frame in parts.
        await client.SendAsync(ClientFrame.Build(2, payload), chunk: 50);

        (bool inArray, int offset, byte[] received) = await seen.Task.Bounded();
        Assert.Equal(payload, received);
        Assert.True(inArray);
        // The frame's 2 header bytes and 4-byte masking key lie before it in the same array: it was not copied out.
        Assert.True(offset >= 6, $"the payload starts at {offset} in its array");
    }
}
