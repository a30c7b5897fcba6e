using System.Buffers;
using WsServer.Connections;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Session;
using WsServer.Protocol.Framing;

namespace WsServer.Client;

/// <summary>
/// A WebSocket client for ws:// and wss://, on the codec's client role: <see cref="ClientHandshake"/> for the
/// opening handshake and a <see cref="ProtocolSession"/> with <see cref="EndpointRole.Client"/> for masking,
/// reading, the automatic pongs and the close echo. The message model is the server's: whole messages
/// (<see cref="WebSocketMessage"/>), the close among them.
/// </summary>
/// <remarks>
/// <para>One reader: <see cref="ReceiveAsync"/> (or <see cref="CloseAsync"/>, which reads until the server's
/// close) runs once at a time. Sends (<see cref="SendAsync(string, CancellationToken)"/>, pings, the close)
/// may come from any thread at any time: each is encoded and written whole, in turn, under one lock.</para>
/// <para>Pings from the server are answered while receiving; a connection that is not read does not answer
/// them. Keep-alive pings (<see cref="WebSocketClientOptions.KeepAliveInterval"/>) go out whether or not a
/// receive runs, and their pongs are read by the receive: the pong deadline is enforced while one waits.</para>
/// </remarks>
public sealed partial class WebSocketClient : IAsyncDisposable
{
    private const int OutputKeptBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly WebSocketClientOptions _options;
    private readonly ProtocolSession _session;

    // The protocol state: every call on the session is made under it, briefly, never across an await.
    private readonly Lock _state = new();

    // The write half, in order: held from encoding a frame to the end of its write to the stream.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private ArrayBufferWriter<byte> _output = new(4096);
    private bool _disposed;
    private int _disposing;
    private int _aborted;

    private WebSocketClient(ClientTransport transport, Uri uri, WebSocketClientOptions options)
    {
        _stream = transport.Stream;
        _options = options;
        Uri = uri;
        Response = transport.Response;
        Compression = transport.Deflate;
        _session = new ProtocolSession(EndpointRole.Client, new ProtocolOptions
        {
            MaxMessageSize = options.MaxMessageSize,
            Deflate = transport.Deflate,
            StreamMessages = options.StreamMessages,
            // The client's own receive buffer: a message it holds whole is handed out from there, valid (as its
            // receive promises) until the next receive, which is the first to move or overwrite what it read.
            ReadMessagesInPlace = true,
        });
        _pings = new PingTracker(new PingPolicy(options.TimeProvider, options.PongTimeout, Metrics: null));
        _buffer = transport.Buffer;
        _end = transport.Buffered;
    }

    /// <summary>The URL connected to.</summary>
    public Uri Uri { get; }

    /// <summary>The server's 101 answer: its headers, the subprotocol and the extensions it chose.</summary>
    public HandshakeResponse Response { get; }

    /// <summary>The subprotocol the server chose; null for none.</summary>
    public string? Subprotocol => Response.Subprotocol;

    /// <summary>The permessage-deflate parameters agreed (RFC 7692); null when not offered or declined.</summary>
    public DeflateParameters? Compression { get; }

    /// <summary>Where the connection is in the closing handshake.</summary>
    public SessionState State
    {
        get { lock (_state) return _session.State; }
    }

    /// <summary>Connects to a ws:// or wss:// URL and completes the opening handshake (RFC 6455 §4.1),
    /// offering the options' subprotocols and, unless turned off, permessage-deflate.</summary>
    /// <exception cref="ArgumentException">The URL is not an absolute ws:// or wss:// URL, or an option holds
    /// a value that cannot be sent in a header.</exception>
    /// <exception cref="WebSocketHandshakeException">The server refused the handshake (its status is
    /// <see cref="WebSocketHandshakeException.StatusCode"/>) or answered one the client must fail.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">Nothing listens there, or the host is unknown.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">wss:// and the server's
    /// certificate is not valid for the host (see <see cref="WebSocketClientOptions.AcceptAnyCertificate"/>).</exception>
    /// <exception cref="TimeoutException">It took longer than <see cref="WebSocketClientOptions.HandshakeTimeout"/>.</exception>
    public static async Task<WebSocketClient> ConnectAsync(Uri uri, WebSocketClientOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || (uri.Scheme != "ws" && uri.Scheme != "wss"))
            throw new ArgumentException($"'{uri}' is not a ws:// or wss:// URL.", nameof(uri));
        options ??= WebSocketClientOptions.Default;
        options.Validate();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            ClientTransport transport = await ClientConnector.ConnectAsync(uri, options, timeout.Token).ConfigureAwait(false);
            var client = new WebSocketClient(transport, uri, options);
            client.StartKeepAlive();
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"The WebSocket handshake with {uri} did not complete within {options.HandshakeTimeout.TotalSeconds:0.###} s.");
        }
    }

    /// <summary>Tells a connection still open that the client is going away (1001, without waiting for the
    /// answer; use <see cref="CloseAsync"/> for a complete closing handshake), then cuts it and returns the
    /// session's buffers. A message received earlier is no longer valid afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0) return;
        if (await _writing.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false))
        {
            try
            {
                await SayGoingAwayAsync().ConfigureAwait(false);
            }
            finally
            {
                _writing.Release();
            }
        }
        lock (_state) _disposed = true;
        Abort();
        // Writes in progress fail now that the stream is gone; the session is released after them.
        await _writing.WaitAsync().ConfigureAwait(false);
        lock (_state) _session.Dispose();
        _writing.Release();
        Ended(Protocol.Closing.CloseCode.AbnormalClosure, "");
    }

    // Under _writing.
    private async Task SayGoingAwayAsync()
    {
        _output.ResetWrittenCount();
        lock (_state)
        {
            if (_session.State != SessionState.Open || _aborted != 0) return;
            _session.WriteClose(_output, Protocol.Closing.CloseCode.GoingAway);
        }
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await _stream.WriteAsync(_output.WrittenMemory, bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the connection is cut next anyway.
        }
    }

    /// <summary>Cuts the transport (once): a frame cut short by a failed or cancelled write would make the
    /// rest of the stream unreadable.</summary>
    private void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0) _stream.Dispose();
    }
}
