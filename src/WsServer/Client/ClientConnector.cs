using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;

namespace WsServer.Client;

/// <summary>What connecting produced: the stream, the server's answer, the agreed compression, and the
/// bytes read past the answer's head (the first frames, when the server sent them at once).</summary>
internal sealed record ClientTransport(Stream Stream, HandshakeResponse Response, DeflateParameters? Deflate,
    byte[] Buffer, int Buffered);

/// <summary>The steps of connecting, in order: TCP, TLS for wss:// (SNI from the host), then the
/// opening handshake with the codec's <see cref="ClientHandshake"/> and <see cref="PerMessageDeflateOffer"/>.</summary>
internal static class ClientConnector
{
    private const int InitialBuffer = 16 * 1024;
    private const int RefusalBodyLimit = 4096;

    public static async Task<ClientTransport> ConnectAsync(Uri uri, WebSocketClientOptions options, CancellationToken cancellationToken)
    {
        bool secure = uri.Scheme == "wss";
        // The name to connect to and to check the certificate against; an IPv6 literal without its brackets.
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.DnsSafeHost : uri.IdnHost;
        int port = uri.IsDefaultPort || uri.Port < 0 ? (secure ? 443 : 80) : uri.Port;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (secure) stream = await AuthenticateAsync(stream, host, options, cancellationToken).ConfigureAwait(false);
            return await HandshakeAsync(stream, uri, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (stream is null) socket.Dispose();
            else await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>RFC 6455 §4.1 item 4: the host, and the port when it is not the scheme's default.</summary>
    private static string HostHeader(Uri uri)
    {
        string host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.DnsSafeHost}]" : uri.IdnHost;
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>The body of a refusal, as UTF-8 text, for the person reading the error: what followed the head,
    /// up to its Content-Length, at most <see cref="RefusalBodyLimit"/> bytes; without a Content-Length only
    /// what had already arrived. Empty when it cannot be read.</summary>
    private static async Task<string> ReadRefusalBodyAsync(Stream stream, HandshakeResponse response,
        ReadOnlyMemory<byte> buffered, CancellationToken cancellationToken)
    {
        if (!int.TryParse(response.Headers["Content-Length"], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int length))
            length = buffered.Length;
        byte[] body = new byte[Math.Min(length, RefusalBodyLimit)];
        int filled = Math.Min(body.Length, buffered.Length);
        buffered.Span[..filled].CopyTo(body);
        try
        {
            while (filled < body.Length)
            {
                int read = await stream.ReadAsync(body.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                filled += read;
            }
        }
        catch (IOException)
        {
            // What arrived is enough to show.
        }
        return System.Text.Encoding.UTF8.GetString(body, 0, filled);
    }

    private static async Task<Stream> AuthenticateAsync(Stream inner, string host, WebSocketClientOptions options,
        CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions
        {
            // The SNI name, and the name the certificate must be valid for (an IP address sends no SNI).
            TargetHost = host,
            RemoteCertificateValidationCallback = options.AcceptAnyCertificate ? static (_, _, _, _) => true : null,
        };
        await ssl.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
        return ssl;
    }

    private static async Task<ClientTransport> HandshakeAsync(Stream stream, Uri uri, WebSocketClientOptions options,
        CancellationToken cancellationToken)
    {
        var request = new ClientRequest
        {
            Host = HostHeader(uri),
            Path = uri.PathAndQuery,
            Subprotocols = options.Subprotocols,
            Extensions = options.Compression ? PerMessageDeflateOffer.ToHeader(options.DeflateOffer) : null,
            Origin = options.Origin,
            Headers = options.Headers,
        };
        var head = new ArrayBufferWriter<byte>(512);
        ClientHandshake.WriteRequest(head, request);
        await stream.WriteAsync(head.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

        byte[] buffer = new byte[InitialBuffer];
        int buffered = 0;
        while (true)
        {
            if (buffered == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            int read = await stream.ReadAsync(buffer.AsMemory(buffered), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new WebSocketHandshakeException($"The WebSocket handshake with {uri} failed: the server closed the connection without answering.");
            buffered += read;

            var input = new ReadOnlySequence<byte>(buffer, 0, buffered);
            OperationStatus status = ClientHandshake.TryReadResponse(ref input, request, HandshakeLimits.Default,
                out HandshakeResponse? response, out string? error);
            if (status == OperationStatus.NeedMoreData) continue;
            if (status == OperationStatus.InvalidData)
            {
                string? body = response is { StatusCode: not 101 }
                    ? await ReadRefusalBodyAsync(stream, response, buffer.AsMemory(buffered - (int)input.Length, (int)input.Length),
                        cancellationToken).ConfigureAwait(false)
                    : null;
                throw new WebSocketHandshakeException($"The WebSocket handshake with {uri} failed: {error}.", response, body);
            }

            DeflateParameters? deflate = null;
            if (options.Compression
                && !PerMessageDeflateOffer.TryAccept(response!.Headers.GetValues("Sec-WebSocket-Extensions"), options.DeflateOffer,
                    out deflate, out error))
                throw new WebSocketHandshakeException($"The WebSocket handshake with {uri} failed: {error}.", response);

            // Frames the server sent right after its answer stay in the buffer, at its start.
            int rest = (int)input.Length;
            buffer.AsSpan(buffered - rest, rest).CopyTo(buffer);
            return new ClientTransport(stream, response!, deflate, buffer, rest);
        }
    }
}
