using System.Globalization;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Session;

namespace WsServer.Client;

/// <content>Keep-alive: after <see cref="WebSocketClientOptions.KeepAliveInterval"/> without a byte from the server,
/// a ping; when nothing is read within <see cref="WebSocketClientOptions.PongTimeout"/> after it, the connection is
/// failed (1006). One one-shot timer on the options' clock does both, re-armed from its own callback: it is
/// due at the end of the idle interval, then at the pong deadline.</content>
/// <remarks>Only a read can see the pong, so the deadline is enforced while a receive is waiting (the usual
/// case: a client blocked in <see cref="ReceiveAsync"/>). When nobody reads at the deadline, it is put off by
/// another <see cref="WebSocketClientOptions.PongTimeout"/>: the pong may be waiting unread, and the next receive
/// reads it.</remarks>
public sealed partial class WebSocketClient
{
    private ITimer? _keepAlive;
    private long _lastReadAt;  // a timestamp on the options' clock
    private long _reads;       // reads that returned bytes; a change since the ping answers it
    private long _readsAtPing = -1; // -1 while no keep-alive ping is waiting

    /// <summary>The round-trip time of the last ping answered (a keep-alive ping or <see cref="PingAsync"/>);
    /// null before the first pong.</summary>
    public TimeSpan? RoundTripTime => _pings.LastRoundTripTime;

    private static bool IsOn(TimeSpan span) => span > TimeSpan.Zero && span != Timeout.InfiniteTimeSpan;

    private void StartKeepAlive()
    {
        if (!IsOn(_options.KeepAliveInterval)) return;
        _lastReadAt = _options.TimeProvider.GetTimestamp();
        _keepAlive = _options.TimeProvider.CreateTimer(static client => ((WebSocketClient)client!).OnKeepAliveDue(),
            this, _options.KeepAliveInterval, Timeout.InfiniteTimeSpan);
    }

    // The reader only, after bytes were read.
    private void NoteRead()
    {
        Volatile.Write(ref _lastReadAt, _options.TimeProvider.GetTimestamp());
        Interlocked.Increment(ref _reads);
    }

    private void StopKeepAlive() => _keepAlive?.Dispose();

    // The timer's callback; it alone re-arms the timer, so calls never overlap.
    private void OnKeepAliveDue()
    {
        if (_closed.Task.IsCompleted) return;
        long readsAtPing = Volatile.Read(ref _readsAtPing);
        if (readsAtPing >= 0)
        {
            if (Interlocked.Read(ref _reads) == readsAtPing)
            {
                if (Volatile.Read(ref _receiving) == NotReading || !IsOn(_options.PongTimeout))
                    _keepAlive!.Change(IsOn(_options.PongTimeout) ? _options.PongTimeout : _options.KeepAliveInterval, Timeout.InfiniteTimeSpan);
                else
                    FailKeepAlive();
                return;
            }
            Volatile.Write(ref _readsAtPing, -1);
        }
        TimeSpan idle = _options.TimeProvider.GetElapsedTime(Volatile.Read(ref _lastReadAt));
        if (idle < _options.KeepAliveInterval)
        {
            _keepAlive!.Change(_options.KeepAliveInterval - idle, Timeout.InfiniteTimeSpan);
            return;
        }
        Volatile.Write(ref _readsAtPing, Interlocked.Read(ref _reads));
        _keepAlive!.Change(IsOn(_options.PongTimeout) ? _options.PongTimeout : _options.KeepAliveInterval, Timeout.InfiniteTimeSpan);
        _ = SendKeepAlivePingAsync();
    }

    private void FailKeepAlive()
    {
        string seconds = _options.PongTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        Ended(CloseCode.AbnormalClosure, $"no pong within the keep-alive's {seconds} s");
        Abort();
    }

    private async Task SendKeepAlivePingAsync()
    {
        try
        {
            await _writing.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        try
        {
            if (TryEncodePing(pong: null, out _)) await WriteToStreamAsync(_output.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The transport is cut (WriteToStreamAsync aborted it): the pending read ends the messages with 1006.
        }
        finally
        {
            _writing.Release();
        }
    }
}
