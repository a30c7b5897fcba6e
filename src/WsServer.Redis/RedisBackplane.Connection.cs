using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace WsServer.Redis;

/// <summary>The backplane's connection to Redis: made so that it retries by itself, and every failure
/// said in one line (a refused password, a TLS handshake, Redis unreachable or lost), never with a secret.</summary>
public sealed partial class RedisBackplane
{
    private async Task<IConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        ConfigurationOptions configuration = _configuration!.Clone();
        configuration.ClientName ??= "wsserver-" + NodeId;
        configuration.ReconnectRetryPolicy ??= new ExponentialRetry(250, 5000);
        _configure?.Invoke(configuration);
        // Commands never wait inside the client while Redis is away: the relay queue is where they wait.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // A connection that retries in the background; when it could not connect now, a strict attempt
        // beside it finds the one-line reason to log, without holding up the start.
        configuration.AbortOnConnectFail = false;
        ConnectionMultiplexer redis = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!redis.IsConnected) _ = LogWhyUnreachableAsync(configuration.Clone());
        return redis;
    }

    private async Task LogWhyUnreachableAsync(ConfigurationOptions configuration)
    {
        configuration.AbortOnConnectFail = true;
        configuration.ClientName += "-probe";
        try
        {
            await using ConnectionMultiplexer probe = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            // Connected meanwhile: the backplane's own connection will say so.
        }
        catch (RedisConnectionException e)
        {
            LogFailure(e.FailureType, e, atStart: true);
        }
    }

    private static bool IsCluster(IConnectionMultiplexer redis) =>
        redis.GetServers().Any(s => s.IsConnected && s.ServerType == ServerType.Cluster && s.Features.ShardedPubSub);

    // The failure's kind and its root cause's first line; never the client's diagnostics dump.
    private static string Reason(Exception e)
    {
        Exception root = e;
        while (root.InnerException is { } inner) root = inner;
        string detail = root == e ? "" : ": " + root.Message.Split('\n')[0].Trim();
        return (e is RedisConnectionException connection ? connection.FailureType.ToString() : e.GetType().Name) + detail;
    }

    // One line: a refused password, a TLS handshake that failed, or Redis unreachable or lost.
    private void LogFailure(ConnectionFailureType type, Exception? error, bool atStart)
    {
        string reason = error is RedisConnectionException ? Reason(error) : type + (error is null ? "" : ": " + Reason(error));
        Exception? root = error;
        while (root?.InnerException is { } inner) root = inner;
        if (root is System.Security.Authentication.AuthenticationException) Log.TlsFailed(_logger, _redisName, reason);
        else if (type == ConnectionFailureType.AuthenticationFailure) Log.AuthenticationFailed(_logger, _redisName, reason);
        else if (atStart) Log.UnreachableAtStart(_logger, _redisName, reason);
        else Log.ConnectionLost(_logger, _redisName, reason);
    }

    private void MarkLost() => Interlocked.CompareExchange(ref _lostAt, Math.Max(1, _time.GetTimestamp()), 0);

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Interlocked.Read(ref _lostAt) == 0) LogFailure(e.FailureType, e.Exception, atStart: false);
        MarkLost();
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (_redis?.IsConnected != true) return;
        long lostAt = Interlocked.Exchange(ref _lostAt, 0);
        if (lostAt == 0) return;
        _metrics.Reconnects.Add(1);
        Log.Reconnected(_logger, _redisName, _time.GetElapsedTime(lostAt).TotalSeconds);
        // Redis may have come back empty (a restart): this node's presence is written again.
        IConnectionMultiplexer restored = _redis;
        _ = IgnoringRedisFailures(() => _presence.RestoreAsync(restored.GetDatabase()));
    }
}
