using WsServer.Connections;
using WsServer.Protocol.Handshake;
using WsServer.Transport;

namespace WsServer.Hosting;

/// <summary>
/// WsServer's answer to an upgrade request another HTTP server received (how WsServer.AspNetCore serves
/// Kestrel's requests; see <see cref="WebSocketServer.AcceptUpgradeAsync"/>): a <see cref="Rejection"/> for the
/// host to send, or the <see cref="ResponseHeaders"/> of its 101 (HTTP/1.1) or 200 (HTTP/2, RFC 8441); once the
/// host has sent them, <see cref="RunAsync"/> serves the connection over the upgraded stream, with WsServer's
/// codec, to its end. An accepted connection is registered already, so a broadcast made as soon as the client
/// sees the answer reaches it. Dispose an accepted upgrade the host could not carry out without running it:
/// the place it holds is freed.
/// </summary>
public sealed class HostedUpgrade : IAsyncDisposable
{
    private readonly HostedTransport? _transport;
    private readonly Func<HostedStream, Task>? _serve;
    private int _used;

    internal HostedUpgrade(HandshakeRejection rejection)
    {
        Rejection = rejection;
        ResponseHeaders = [];
    }

    internal HostedUpgrade(IReadOnlyList<KeyValuePair<string, string>> responseHeaders, WebSocketConnection connection,
        HostedTransport transport, Func<HostedStream, Task> serve)
    {
        ResponseHeaders = responseHeaders;
        Connection = connection;
        _transport = transport;
        _serve = serve;
    }

    /// <summary>The refusal to answer with (status, reason as the body, headers); null when accepted.</summary>
    public HandshakeRejection? Rejection { get; }

    /// <summary>True when the host is to upgrade and then call <see cref="RunAsync"/>.</summary>
    public bool IsAccepted => Rejection is null;

    /// <summary>The fields of the host's 101 or 200 (<see cref="ServerHandshake.AcceptFields"/>): the host writes
    /// its status line and <c>Connection</c> itself.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; }

    /// <summary>The accepted connection (its id, its info, sends to it); null when refused.</summary>
    public WebSocketConnection? Connection { get; }

    /// <summary>Serves the connection over <paramref name="upgraded"/>, the stream the host gave after sending its
    /// answer: the handler's init, every message, the closing handshake. Completes when the connection has ended
    /// and its handler's closed callback has run; never throws for what the peer does.</summary>
    /// <param name="upgraded">The upgraded stream: the WebSocket's bytes both ways.</param>
    /// <param name="abort">Cuts the host's connection or stream (a deadline passed, the server gave up waiting).</param>
    /// <param name="endSending">Ends our sending side when the host has a way (an HTTP/2 stream's END_STREAM);
    /// null when the host ends the connection itself once this task completes (an upgraded HTTP/1.1 connection).</param>
    /// <exception cref="InvalidOperationException">Refused, run already, or disposed.</exception>
    public Task RunAsync(Stream upgraded, Action abort, Func<ValueTask>? endSending = null)
    {
        ArgumentNullException.ThrowIfNull(upgraded);
        ArgumentNullException.ThrowIfNull(abort);
        if (_serve is null) throw new InvalidOperationException("The upgrade was refused: answer with its Rejection.");
        if (Interlocked.Exchange(ref _used, 1) != 0) throw new InvalidOperationException("The upgrade was run or disposed already.");
        return _serve(new HostedStream(upgraded, abort, endSending));
    }

    /// <summary>Frees the place of an accepted upgrade the host could not carry out (its handler is never
    /// initialised); nothing after <see cref="RunAsync"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_serve is null || Interlocked.Exchange(ref _used, 1) != 0) return;
        _transport!.Abort();
        await _serve(new HostedStream(Stream.Null, static () => { }, null)).ConfigureAwait(false);
    }
}
