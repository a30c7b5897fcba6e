using System.Net;
using System.Net.Sockets;

namespace WsServer.Tests.TestSupport;

/// <summary>Two connected loopback TCP sockets, for tests of the transport below the server.</summary>
internal static class SocketPair
{
    public static async Task<(Socket Client, Socket Server)> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!).Bounded();
        Socket server = await listener.AcceptAsync().Bounded();
        return (client, server);
    }
}
