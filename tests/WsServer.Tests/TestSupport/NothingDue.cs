using WsServer.Connections;

namespace WsServer.Tests.TestSupport;

/// <summary>Proves, without sleeping, that a step of the fake clock made nothing due on a connection (no
/// keep-alive ping, no close): the server's heartbeat decides during the step (timers run inside
/// <c>Advance</c>) and a check it asks for runs in the connection's turn before the next mailbox item, so
/// when a string posted after the step is the next frame the peer reads, nothing was due. The
/// connection's handler must send back the strings posted to it (<see cref="TestHandlers.RecordingHandler"/>
/// does).</summary>
public static class NothingDue
{
    private static int s_posted;

    public static async Task AssertAsync(RawClient client, WebSocketConnection connection)
    {
        string marker = $"marker {Interlocked.Increment(ref s_posted)}";
        Assert.True(connection.Post(marker), "the connection has ended");
        ReceivedFrame next = (await client.ReadFrameAsync().Bounded())!.Value;
        Assert.True((next.Opcode, next.Text) == (1, marker), $"something was due: opcode {next.Opcode}, \"{next.Text}\" came before the marker");
    }
}
