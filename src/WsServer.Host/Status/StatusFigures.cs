namespace WsServer.Host.Status;

/// <summary>
/// The server's figures between two samples, and the last five minutes of connection counts. Counters
/// are added with interlocked operations and histograms go to <see cref="LatencyBuckets"/>, so a
/// measurement costs no lock; the rarer counts by status and close code take one. <see cref="Sample"/>
/// turns the interval into a <see cref="StatusSnapshot"/>: rates are the interval's counts divided by its
/// length on the given clock, percentiles are the interval's alone.
/// </summary>
internal sealed class StatusFigures(TimeProvider time)
{
    /// <summary>How many samples the history keeps: five minutes at one a second.</summary>
    public const int HistoryLength = 300;

    private readonly object _gate = new();
    private readonly LatencyBuckets _handler = new();
    private readonly LatencyBuckets _roundTrip = new();
    private readonly SortedDictionary<int, long> _refused = [];
    private readonly SortedDictionary<int, long> _closed = [];
    private readonly Queue<long> _history = new(HistoryLength);
    private long _sampledAt = time.GetTimestamp();
    private long _connections;
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _bytesOut;
    private long _sendQueueBytes;

    public void ConnectionsChanged(long delta) => Interlocked.Add(ref _connections, delta);

    public void MessagesReceived(long count) => Interlocked.Add(ref _messagesIn, count);

    public void MessagesSent(long count) => Interlocked.Add(ref _messagesOut, count);

    public void BytesReceived(long count) => Interlocked.Add(ref _bytesIn, count);

    public void BytesSent(long count) => Interlocked.Add(ref _bytesOut, count);

    public void SendQueue(long bytes) => Interlocked.Exchange(ref _sendQueueBytes, bytes);

    public void HandlerTime(double seconds) => _handler.Record(seconds * 1000);

    public void RoundTrip(double milliseconds) => _roundTrip.Record(milliseconds);

    public void Refused(int status, long count) => Add(_refused, status, count);

    public void Closed(int code, long count) => Add(_closed, code, count);

    /// <summary>The figures since the last sample, and starts the next interval. Called by one thread at a time.</summary>
    public StatusSnapshot Sample(string backplane)
    {
        long now = time.GetTimestamp();
        double seconds = time.GetElapsedTime(_sampledAt, now).TotalSeconds;
        _sampledAt = now;
        long connections = Interlocked.Read(ref _connections);
        double?[] handler = _handler.TakeInterval(0.5, 0.9, 0.99);
        double?[] roundTrip = _roundTrip.TakeInterval(0.5, 0.99);
        lock (_gate)
        {
            if (_history.Count == HistoryLength) _history.Dequeue();
            _history.Enqueue(connections);
            return new StatusSnapshot
            {
                IntervalSeconds = seconds,
                Connections = connections,
                ConnectionHistory = [.. _history],
                MessagesInPerSecond = Rate(ref _messagesIn, seconds),
                MessagesOutPerSecond = Rate(ref _messagesOut, seconds),
                BytesInPerSecond = Rate(ref _bytesIn, seconds),
                BytesOutPerSecond = Rate(ref _bytesOut, seconds),
                HandlerMilliseconds = handler,
                RoundTripMilliseconds = roundTrip,
                SendQueueBytes = Interlocked.Read(ref _sendQueueBytes),
                RefusedByStatus = new SortedDictionary<int, long>(_refused),
                ClosedByCode = new SortedDictionary<int, long>(_closed),
                Backplane = backplane,
            };
        }
    }

    // An interval of no length (two samples at one instant) has no rate to speak of: zero, not infinity.
    private static double Rate(ref long counter, double seconds)
    {
        long count = Interlocked.Exchange(ref counter, 0);
        return seconds > 0 ? count / seconds : 0;
    }

    private void Add(SortedDictionary<int, long> counts, int key, long count)
    {
        lock (_gate) counts[key] = counts.GetValueOrDefault(key) + count;
    }
}
