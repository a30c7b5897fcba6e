using System.Net;
using System.Net.Sockets;

namespace WsServer.Tests.TestSupport;

/// <summary>A loopback port held by a listener until disposed: for a server that must find its port taken.</summary>
public sealed class TakenPort : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public TakenPort()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    /// <summary>A loopback port that nothing listens on now.</summary>
    public static int Free()
    {
        using var taken = new TakenPort();
        return taken.Port;
    }

    public void Dispose() => _listener.Dispose();
}
