using System.Buffers;
using System.Net;
using System.Net.Sockets;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;

namespace WsServer.LoadTest.Client;

/// <summary>The opening handshake, with async calls or with blocking ones.</summary>
internal sealed partial class WsClient
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connects and completes the opening handshake that <paramref name="offer"/> asks for (the path
    /// <c>/</c>, no extension by default).</summary>
    public static async Task<WsClient> ConnectAsync(IPEndPoint server, int bufferSize, CancellationToken ct, ClientOffer? offer = null)
    {
        var client = new WsClient(NewSocket(), Math.Max(bufferSize, 1024));
        try
        {
            await client._socket.ConnectAsync(server, ct);
            ClientRequest request = Request(server, offer, out ArrayBufferWriter<byte> head);
            await client.SendAsync(head.WrittenMemory, ct);
            do
            {
                if (await client.ReceiveAsync(ct) == 0) throw new IOException("The server closed during the handshake.");
            }
            while (!client.TryReadResponse(request));
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Like <see cref="ConnectAsync"/> but with blocking calls only, and leaves the socket non-blocking,
    /// for a driver that does its own I/O on <see cref="Socket"/> (<see cref="EpollClientLoop"/>): a socket that
    /// never did an async operation is not watched by the runtime's socket engine.</summary>
    public static WsClient Connect(IPEndPoint server, int bufferSize, ClientOffer? offer = null)
    {
        var client = new WsClient(NewSocket(), Math.Max(bufferSize, 1024));
        try
        {
            client._socket.Connect(server);
            ClientRequest request = Request(server, offer, out ArrayBufferWriter<byte> head);
            client._socket.Send(head.WrittenSpan);
            do
            {
                // Bounded, so that a server that never answers cannot hang the tool.
                if (!client._socket.Poll(HandshakeTimeout, SelectMode.SelectRead))
                    throw new IOException($"The server did not answer the handshake within {HandshakeTimeout.TotalSeconds} s.");
                int read = client._socket.Receive(client.ReceiveRoom());
                if (read == 0) throw new IOException("The server closed during the handshake.");
                client._end += read;
            }
            while (!client.TryReadResponse(request));
            client._socket.Blocking = false;
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static Socket NewSocket() => new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    private static ClientRequest Request(IPEndPoint server, ClientOffer? offer, out ArrayBufferWriter<byte> head)
    {
        offer ??= ClientOffer.Plain;
        var request = new ClientRequest { Host = server.ToString(), Path = offer.Path, Extensions = offer.Extensions };
        head = new ArrayBufferWriter<byte>(256);
        ClientHandshake.WriteRequest(head, request);
        return request;
    }

    /// <summary>True once the whole response to <paramref name="request"/> is in the buffer (and taken from it).</summary>
    private bool TryReadResponse(ClientRequest request)
    {
        int unread = _end - _start;
        var input = new ReadOnlySequence<byte>(_buffer, _start, unread);
        OperationStatus status = ClientHandshake.TryReadResponse(ref input, request, HandshakeLimits.Default,
            out HandshakeResponse? response, out string? error);
        if (status == OperationStatus.InvalidData) throw new IOException($"Handshake failed: {error}");
        if (status != OperationStatus.Done) return false;
        _start += unread - (int)input.Length;
        Extensions = response!.Extensions;
        _rsv1Allowed = Extensions?.StartsWith(DeflateParameters.ExtensionName, StringComparison.OrdinalIgnoreCase) == true;
        return true;
    }
}

/// <summary>What a client asks for in its opening handshake: the path and the extensions offered (the
/// <c>Sec-WebSocket-Extensions</c> value as written).</summary>
internal sealed record ClientOffer(string Path = "/", string? Extensions = null)
{
    public static ClientOffer Plain { get; } = new();
}
