using System.IO.Pipelines;
using System.Net;
using System.Security.Authentication;

namespace WsServer.Transport;

/// <summary>What another HTTP server hands over with an upgraded request: the stream, how to cut it, and how to
/// end our sending side when it has a way (an HTTP/2 stream's END_STREAM); without one, our end is the host's
/// when the request completes.</summary>
internal sealed record HostedStream(Stream Stream, Action Abort, Func<ValueTask>? EndSending);

/// <summary>
/// A WebSocket whose upgrade another HTTP server answered (ASP.NET Core's Kestrel, over HTTP/1.1 or an HTTP/2
/// stream): the connection is built and registered before the host sends its 101 (or 200), so a broadcast made
/// as soon as the client sees it reaches it; the stream arrives with <see cref="Attach"/>, before the
/// connection's writer starts. Bytes go through the host's stream; an abort asks the host to cut.
/// </summary>
internal sealed class HostedTransport(IPEndPoint remote, IPEndPoint local, DateTimeOffset acceptedAt,
    (bool IsTls, SslProtocols? Protocol, string? ServerName) tls) : ConnectionTransport(remote, local, acceptedAt)
{
    private HostedStream? _hosted;
    private PipeInput? _input;

    // Before the hand-over only the disposal of a refused upgrade reads it: an empty input then.
    public override TransportInput Input => _input ??= new PipeInput(PipeReader.Create(System.Buffers.ReadOnlySequence<byte>.Empty));

    public override (bool IsTls, SslProtocols? Protocol, string? ServerName) TlsInfo => tls;

    public override bool CanEndSending => _hosted?.EndSending is not null;

    /// <summary>The host's upgraded stream, once it has answered; an abort that came first cuts it at once.</summary>
    public void Attach(HostedStream hosted)
    {
        _input = PipeInput.Over(hosted.Stream);
        Volatile.Write(ref _hosted, hosted);
        if (IsAborted) hosted.Abort();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes) => Hosted.Stream.WriteAsync(bytes);

    protected override ValueTask WriteBatchAsync(List<ArraySegment<byte>> batch, int total) => WriteGatheredAsync(Hosted.Stream, batch, total);

    // A write before the hand-over (a refused or abandoned upgrade's) finds the connection cut.
    private HostedStream Hosted => _hosted ?? throw new ObjectDisposedException(nameof(HostedTransport));

    public override async ValueTask ShutdownSendAsync()
    {
        if (_hosted?.EndSending is { } end) await end().ConfigureAwait(false);
    }

    protected override void Cut() => Volatile.Read(ref _hosted)?.Abort();

    protected override async ValueTask DisposeCoreAsync()
    {
        if (_hosted is { } hosted) await hosted.Stream.DisposeAsync().ConfigureAwait(false);
    }
}
