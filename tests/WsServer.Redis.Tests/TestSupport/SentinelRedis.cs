using System.Globalization;

namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A Redis primary watched by one Sentinel (redis-server in Sentinel mode), both on free loopback
/// ports: a client that names the Sentinel and the service finds the primary through it.</summary>
public sealed class SentinelRedis : IAsyncDisposable
{
    public const string ServiceName = "wsserver-test";

    private readonly string _directory;

    private SentinelRedis(RedisProcess primary, RedisProcess sentinel, string directory)
    {
        Primary = primary;
        Sentinel = sentinel;
        _directory = directory;
    }

    public RedisProcess Primary { get; }

    public RedisProcess Sentinel { get; }

    /// <summary>The StackExchange.Redis configuration that reaches the primary through the Sentinel.</summary>
    public string Configuration => $"{Sentinel.Address},serviceName={ServiceName}";

    public static async Task<SentinelRedis> StartAsync()
    {
        RedisProcess primary = await RedisProcess.StartAsync();
        string directory = Directory.CreateTempSubdirectory("wsserver-sentinel-").FullName;
        try
        {
            // The Sentinel rewrites its file: it lives in a directory of the test's own.
            string config = Path.Combine(directory, "sentinel.conf");
            await File.WriteAllTextAsync(config,
                $"sentinel monitor {ServiceName} 127.0.0.1 {primary.Port.ToString(CultureInfo.InvariantCulture)} 1\n");
            int port = RedisProcess.FreePort();
            RedisProcess sentinel = await RedisProcess.StartWithAsync(port,
                ["--sentinel", "--port", port.ToString(CultureInfo.InvariantCulture)], configFile: config);
            return new SentinelRedis(primary, sentinel, directory);
        }
        catch
        {
            await primary.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sentinel.DisposeAsync();
        await Primary.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
