using System.Threading.Tasks.Sources;

namespace WsServer.Benchmarks.Connection;

/// <summary>
/// An upgraded stream with no socket behind it, for measuring the server's own code: each <see cref="Feed"/>
/// completes the server's pending read with a burst of frames, on the caller's thread, so the server handles
/// them and writes its answers before <see cref="Feed"/> returns. Writes complete at once and are counted.
/// </summary>
internal sealed class BurstStream : Stream, IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _read; // continuations run inline: no thread hop in the measure
    private Memory<byte> _into;
    private ReadOnlyMemory<byte> _unread;
    private bool _pending;

    public long Written { get; private set; }

    /// <summary>Hands <paramref name="burst"/> to the server's pending read (and to the reads it makes at once
    /// for the rest, when it reads less); false when it was not reading.</summary>
    public bool Feed(ReadOnlyMemory<byte> burst)
    {
        if (!_pending) return false;
        _pending = false;
        _unread = burst;
        _read.SetResult(Take(_into.Span));
        return true;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pending) throw new InvalidOperationException("One read at a time.");
        if (!_unread.IsEmpty) return new ValueTask<int>(Take(buffer.Span));
        _read.Reset();
        _into = buffer;
        _pending = true;
        return new ValueTask<int>(this, _read.Version);
    }

    private int Take(Span<byte> into)
    {
        int length = Math.Min(into.Length, _unread.Length);
        _unread.Span[..length].CopyTo(into);
        _unread = _unread[length..];
        return length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Written += buffer.Length;
        return ValueTask.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _read.OnCompleted(continuation, state, token, flags);

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).GetAwaiter().GetResult();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
