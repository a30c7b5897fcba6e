using System.Net;
using System.Net.Sockets;

namespace WsServer.Benchmarks.Connection;

/// <summary>
/// The least a server can do for <see cref="UpgradeBenchmarks"/>' exchange: accept, skip to the end of
/// the request head, send a canned 101, read the close frame, send the canned echo, FIN, read the
/// client's FIN. It parses and checks nothing, so a case against it costs the client plus bare TCP
/// (an accepted <see cref="Socket"/>): the baseline under the server's share.
/// </summary>
/// <remarks>One blocking thread, one connection at a time (the benchmark has one in flight), so what
/// the peer allocates is measured on its own thread, apart from the client's.</remarks>
public sealed class CannedUpgradePeer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Thread _thread;
    private long _allocated;
    private long _connections;

    public CannedUpgradePeer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _thread = new Thread(Run) { IsBackground = true, Name = "Canned upgrade peer" };
        _thread.Start();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Bytes the peer's thread allocated per connection served, accepting included.</summary>
    public double AllocatedPerConnection =>
        Interlocked.Read(ref _connections) is > 0 and var n ? (double)Interlocked.Read(ref _allocated) / n : 0;

    private static ReadOnlySpan<byte> SwitchingProtocols =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"u8;

    private void Run()
    {
        byte[] buffer = new byte[1024];
        while (true)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return; // disposed
            }
            try
            {
                using (connection) Serve(connection, buffer);
            }
            catch (SocketException)
            {
                // The benchmark's client failed too, and says why.
            }
            Interlocked.Add(ref _allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            Interlocked.Increment(ref _connections);
        }
    }

    private static void Serve(Socket connection, byte[] buffer)
    {
        int total = 0;
        while (buffer.AsSpan(0, total).IndexOf("\r\n\r\n"u8) < 0)
        {
            int read = connection.Receive(buffer.AsSpan(total));
            if (read == 0) return;
            total += read;
        }
        connection.Send(SwitchingProtocols);
        // The client's masked close frame: 2 header bytes, the 4-byte key, the 2-byte status.
        for (int read = 0; read < ClientFrames.NormalClosure.Length;)
        {
            int count = connection.Receive(buffer.AsSpan(read, ClientFrames.NormalClosure.Length - read));
            if (count == 0) return;
            read += count;
        }
        connection.Send(ClientFrames.NormalClosureEcho);
        connection.Shutdown(SocketShutdown.Send);
        while (connection.Receive(buffer) > 0)
        {
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _thread.Join();
    }
}
