using System.Net;
using System.Net.Sockets;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Transport;

/// <summary>The listening socket: what every accepted connection gets from it.</summary>
public sealed class SocketListenerTests
{
    [Fact]
    public async Task AnAcceptedSocketHasNagleOff()
    {
        using var listener = new SocketListener(IPAddress.Loopback, 0, backlog: 4);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task<Socket> accepting = listener.AcceptAsync(CancellationToken.None).AsTask();
        await client.ConnectAsync(listener.EndPoint);
        using Socket accepted = await accepting.Bounded();

        // Read back from the kernel (getsockopt), not from a field .NET keeps: on Linux it is the
        // listener's setting, inherited, and no call is made per connection.
        Assert.False(client.NoDelay, "the client keeps the default: the check reads the accepted side");
        Assert.True(accepted.NoDelay, "replies must not wait behind Nagle's algorithm");
    }
}
