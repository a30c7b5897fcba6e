using System.Globalization;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A Redis Cluster of three primaries (no replicas) on free loopback ports, each holding a
/// third of the slots; its node files are in a temporary directory removed on dispose.</summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private readonly string _directory;

    private RedisCluster(string directory, IReadOnlyList<RedisProcess> primaries)
    {
        _directory = directory;
        Primaries = primaries;
    }

    public IReadOnlyList<RedisProcess> Primaries { get; }

    /// <summary>The primaries as a StackExchange.Redis configuration string: <c>127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3</c>.</summary>
    public string Configuration => string.Join(",", Primaries.Select(p => p.Address));

    public static async Task<RedisCluster> StartAsync()
    {
        string cli = Tools.RedisCli(); // before starting anything, so a missing redis-cli fails at once
        string directory = Directory.CreateTempSubdirectory("wsserver-redis-cluster-").FullName;
        var primaries = new List<RedisProcess>();
        try
        {
            // Each node's bus port is given, not left at port + 10000, which is past 65535 for a high port.
            int[] ports = RedisProcess.FreePorts(6);
            for (int i = 0; i < 3; i++)
            {
                string port = ports[i].ToString(CultureInfo.InvariantCulture);
                primaries.Add(await RedisProcess.StartAsync(ports[i],
                [
                    "--cluster-enabled", "yes", "--cluster-port", ports[i + 3].ToString(CultureInfo.InvariantCulture),
                    "--cluster-config-file", Path.Combine(directory, $"nodes-{port}.conf"), "--cluster-node-timeout", "5000",
                ]));
            }
            await Tools.RunAsync(cli,
                ["--cluster", "create", .. primaries.Select(p => p.Address), "--cluster-replicas", "0", "--cluster-yes"]);
            var cluster = new RedisCluster(directory, primaries);
            await cluster.WaitUntilOkAsync();
            return cluster;
        }
        catch
        {
            foreach (RedisProcess primary in primaries) await primary.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Runs redis-cli with these arguments against every primary; their outputs, in
    /// <see cref="Primaries"/>' order.</summary>
    public async Task<IReadOnlyList<string>> OnEveryPrimaryAsync(params string[] arguments) =>
        await Task.WhenAll(Primaries.Select(p => p.CliAsync(arguments)));

    /// <summary>How many clients each primary has subscribed to a shard channel (SSUBSCRIBE), in
    /// <see cref="Primaries"/>' order; only the primary that owns the channel's slot can have any.</summary>
    public async Task<IReadOnlyList<int>> ShardSubscribersAsync(string channel)
    {
        IReadOnlyList<string> outputs = await OnEveryPrimaryAsync("PUBSUB", "SHARDNUMSUB", channel);
        // redis-cli prints the reply's two elements, the channel and the count, a line each.
        return [.. outputs.Select(o => int.Parse(o.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (RedisProcess primary in Primaries) await primary.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    // redis-cli --cluster create returns once the nodes agree on the slots; cluster_state:ok may come a
    // moment later, and a client that connects before it is refused (CLUSTERDOWN).
    private async Task WaitUntilOkAsync()
    {
        for (int attempt = 0; attempt < 500; attempt++)
        {
            IReadOnlyList<string> infos = await OnEveryPrimaryAsync("CLUSTER", "INFO");
            if (infos.All(i => i.Contains("cluster_state:ok", StringComparison.Ordinal))) return;
            await Task.Delay(20);
        }
        throw new InvalidOperationException($"the cluster at {Configuration} did not reach cluster_state:ok");
    }
}
