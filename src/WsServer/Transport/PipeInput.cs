using System.IO.Pipelines;

namespace WsServer.Transport;

/// <summary>Any <see cref="PipeReader"/> as a connection's input (a stream's reader, for TLS and for
/// streams other hosts hand over); it parks by leaving a read pending.</summary>
internal sealed class PipeInput(PipeReader reader) : TransportInput
{
    // Zero-byte reads, so an idle connection waits without a receive buffer (as SocketReader does).
    private static readonly StreamPipeReaderOptions StreamOptions =
        new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    /// <summary>The input of a stream-shaped transport (TLS, a PROXY header's remainder, another host's stream).</summary>
    public static PipeInput Over(Stream stream) => new(PipeReader.Create(stream, StreamOptions));

    public override bool TryRead(out ReadResult result) => reader.TryRead(out result);

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => reader.ReadAsync(cancellationToken);

    public override void AdvanceTo(SequencePosition consumed) => reader.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => reader.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => reader.CancelPendingRead();

    public override void Complete(Exception? exception = null) => reader.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => reader.CompleteAsync(exception);
}
