namespace WsServer.Transport;

/// <summary>Where a connection's writer writes its batches: the connection's transport (tests give their own).</summary>
internal interface IBatchWriter
{
    /// <summary>The most arrays a batch holds: one <c>sendmsg</c>, well under Linux's IOV_MAX (1024).</summary>
    const int MaxSegments = 64;

    /// <summary>Writes every byte of <paramref name="bytes"/>: a batch of one array, the common case,
    /// without a list.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Writes every byte of <paramref name="batch"/> (<paramref name="total"/> bytes), in order.</summary>
    ValueTask WriteAsync(List<ArraySegment<byte>> batch, int total);

    /// <summary>Sends <paramref name="head"/> then <paramref name="payload"/> now, from where they lie, in one call
    /// that does not wait: the bytes the socket took (0 when its buffer is full), or -1 when this transport writes
    /// only through the calls above, or the call failed (the caller then queues the bytes, and its write meets
    /// the failure).</summary>
    long TrySendNow(ReadOnlySpan<byte> head, ReadOnlySpan<byte> payload) => -1;

    /// <summary>Cuts the transport: a write failed, so the read side must end too (it may never notice).</summary>
    void Abort();
}
