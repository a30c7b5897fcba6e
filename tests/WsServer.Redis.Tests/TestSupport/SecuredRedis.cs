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

    public ValueTask DisposeAsync() => Redis.DisposeAsync();
}
