using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WsServer.Redis;

/// <summary>
/// The one reader of the <see cref="RelayQueue"/>: publishes what waits, in order, in pipelined batches,
/// only while Redis is connected. A publish Redis never received (refused before it was written) is
/// kept and sent again first when Redis is back; one written but never confirmed is counted
/// unconfirmed, since it may still arrive. So <c>dropped</c> counts exactly what never left this node.
/// </summary>
internal sealed class RelayPump(RelayQueue queue, Func<IConnectionMultiplexer> redis, Func<Outgoing, Task> send, string redisName,
    BackplaneInstruments metrics, ILogger logger, TimeProvider time)
{
    private const int BatchSize = 256;
    private static readonly TimeSpan ReconnectPoll = TimeSpan.FromMilliseconds(20);
    private long _fullSince; // a timestamp while the queue refuses, else 0
    private long _droppedWhileFull;

    /// <summary>Adds a message for Redis; false (counted dropped, logged once per episode) when the queue is full.</summary>
    public bool TryAdd(Outgoing item)
    {
        if (queue.TryAdd(item)) return true;
        metrics.Dropped.Add(1);
        Interlocked.Increment(ref _droppedWhileFull);
        if (Interlocked.CompareExchange(ref _fullSince, Math.Max(1, time.GetTimestamp()), 0) == 0)
            Log.QueueFull(logger, redisName, queue.Count, queue.Bytes);
        return false;
    }

    /// <summary>Runs until <paramref name="stopping"/>; then publishes what is already waiting while
    /// Redis takes it, for at most <paramref name="flushTime"/>, and counts the rest dropped.</summary>
    public async Task RunAsync(CancellationToken stopping, TimeSpan flushTime)
    {
        var batch = new List<Outgoing>(BatchSize);
        var sending = new List<Task>(BatchSize);
        try
        {
            while (true)
            {
                if (batch.Count == 0) await queue.TakeAsync(batch, BatchSize, stopping).ConfigureAwait(false);
                while (!redis().IsConnected) await Task.Delay(ReconnectPoll, time, stopping).ConfigureAwait(false);
                bool timedOut = await PublishAsync(batch, sending).ConfigureAwait(false);
                NoteDrained();
                // A stalled Redis gets nothing more until it answers again: what waits stays in the queue,
                // where an overflow is counted exactly, instead of piling up unconfirmed in its socket.
                if (timedOut) await WaitUntilAnsweringAsync(stopping).ConfigureAwait(false);
                else if (batch.Count > 0) await Task.Delay(ReconnectPoll, time, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        using var flush = new CancellationTokenSource(flushTime, time);
        try
        {
            while (redis().IsConnected && (batch.Count > 0 || queue.Count > 0))
            {
                if (batch.Count == 0) await queue.TakeAsync(batch, BatchSize, flush.Token).ConfigureAwait(false);
                await PublishAsync(batch, sending).WaitAsync(flush.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        metrics.Dropped.Add(batch.Count + queue.Count);
    }

    // Publishes the batch (one pipelined write) and leaves in it only what Redis never received; true
    // when a publish timed out.
    private async Task<bool> PublishAsync(List<Outgoing> batch, List<Task> sending)
    {
        sending.Clear();
        foreach (Outgoing item in batch) sending.Add(send(item));
        int confirmed = 0, unconfirmed = 0, retry = 0;
        bool timedOut = false;
        string? reason = null;
        for (int i = 0; i < sending.Count; i++)
        {
            try
            {
                await sending[i].ConfigureAwait(false);
                confirmed++;
            }
            catch (RedisConnectionException e) when (e.CommandStatus == CommandStatus.WaitingToBeSent)
            {
                batch[retry++] = batch[i];
            }
            catch (RedisServerException e)
            {
                // Redis refused it (a script error, out of memory): it never took the message.
                metrics.Dropped.Add(1);
                reason ??= e.Message;
                Log.Refused(logger, redisName, e.Message);
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                unconfirmed++;
                timedOut |= e is RedisTimeoutException;
                reason ??= e is RedisTimeoutException ? "timeout" : ((RedisConnectionException)e).FailureType.ToString();
            }
        }
        batch.RemoveRange(retry, batch.Count - retry);
        if (confirmed > 0) metrics.Relayed.Add(confirmed, new KeyValuePair<string, object?>("direction", "out"));
        if (unconfirmed > 0)
        {
            metrics.Unconfirmed.Add(unconfirmed);
            Log.Unconfirmed(logger, redisName, unconfirmed, reason!);
        }
        return timedOut;
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken stopping)
    {
        while (true)
        {
            try
            {
                await redis().GetSubscriber().PingAsync().WaitAsync(stopping).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                await Task.Delay(ReconnectPoll, time, stopping).ConfigureAwait(false);
            }
        }
    }

    // The queue has emptied after refusing publishes: say how many it refused, and for how long.
    private void NoteDrained()
    {
        long since = Interlocked.Read(ref _fullSince);
        if (since == 0 || queue.Count > 0) return;
        if (Interlocked.CompareExchange(ref _fullSince, 0, since) != since) return;
        Log.QueueDrains(logger, redisName, Interlocked.Exchange(ref _droppedWhileFull, 0), time.GetElapsedTime(since).TotalSeconds);
    }
}
