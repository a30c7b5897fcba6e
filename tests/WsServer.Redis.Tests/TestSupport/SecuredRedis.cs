namespace WsServer.Redis.Tests.TestSupport;

/// <summary>A redis-server that wants a password: the default user's (<c>requirepass</c>), or an ACL
/// user's with every key, channel and command.</summary>
public sealed class SecuredRedis : IAsyncDisposable
{
    public const string Password = "default-secret";
    public const string User = "app";
    public const string UserPassword = "app-secret";

    private SecuredRedis(RedisProcess redis) => Redis = redis;

    public RedisProcess Redis { get; }

    public string Address => Redis.Address;

    /// <summary>A StackExchange.Redis configuration string that logs in as the default user.</summary>
    public string PasswordConfiguration => $"{Address},password={Password}";

    /// <summary>A StackExchange.Redis configuration string that logs in as the ACL user.</summary>
    public string UserConfiguration => $"{Address},user={User},password={UserPassword}";

    public static async Task<SecuredRedis> StartAsync(int? port = null) =>
        new(await RedisProcess.StartAsync(port, ["--requirepass", Password, "--user", User, "on", $">{UserPassword}", "~*", "&*", "+@all"]));

    /// <summary>How many logins Redis has refused so far: the counts of the entries of <c>ACL LOG</c> (one
    /// entry counts the refusals that repeat it).</summary>
    public async Task<long> RefusedLoginsAsync()
    {
        string[] log = (await Redis.CliAsync("--no-auth-warning", "-a", Password, "ACL", "LOG"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return log.Select((line, i) => line == "count" && i + 1 < log.Length ? long.Parse(log[i + 1], System.Globalization.CultureInfo.InvariantCulture) : 0).Sum();
    }

    public ValueTask DisposeAsync() => Redis.DisposeAsync();
}
