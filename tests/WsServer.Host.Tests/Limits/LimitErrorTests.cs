using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Limits;

/// <summary>A bad limit, as a flag or a config-file key, is one line naming it and exit code 2, before
/// anything listens.</summary>
public sealed class LimitErrorTests
{
    [Theory]
    [InlineData("--handshake-timeout", "0", "--handshake-timeout must be more than 0 seconds")]
    [InlineData("--handshake-timeout", "off", "--handshake-timeout: 'off' is not a number of seconds")]
    [InlineData("--handshake-timeout", "abc", "--handshake-timeout: 'abc' is not a number of seconds")]
    [InlineData("--handshake-timeout", "-1", "--handshake-timeout must not be negative")]
    [InlineData("--handshake-timeout", "1e9", "--handshake-timeout must be at most 604800 seconds")]
    [InlineData("--handshake-timeout", "NaN", "--handshake-timeout: 'NaN' is not a number of seconds")]
    [InlineData("--idle-timeout", "soon", "--idle-timeout: 'soon' is not a number of seconds or off")]
    [InlineData("--idle-timeout", "-5", "--idle-timeout must not be negative")]
    [InlineData("--idle-timeout", "0.0001", "--idle-timeout must be at least 0.001 seconds")]
    [InlineData("--keepalive", "x", "--keepalive: 'x' is not a number of seconds or off")]
    [InlineData("--pong-timeout", "-1", "--pong-timeout must not be negative")]
    [InlineData("--close-timeout", "0", "--close-timeout must be more than 0 seconds")]
    [InlineData("--close-timeout", "infinite", "--close-timeout: 'infinite' is not a number of seconds")]
    [InlineData("--drain-timeout", "-1", "--drain-timeout must not be negative")]
    [InlineData("--drain-timeout", "off", "--drain-timeout: 'off' is not a number of seconds")]
    [InlineData("--send-queue-limit", "0", "--send-queue-limit must be at least 1")]
    [InlineData("--send-queue-limit", "1MB", "--send-queue-limit: '1MB' is not a whole number")]
    [InlineData("--slow-consumer", "sometimes", "--slow-consumer: 'sometimes' is not one of wait, close, drop")]
    [InlineData("--slow-consumer", "1", "--slow-consumer: '1' is not one of wait, close, drop")]
    [InlineData("--max-connections-per-ip", "-1", "--max-connections-per-ip must be at least 0")]
    [InlineData("--max-connections-per-ip", "many", "--max-connections-per-ip: 'many' is not a whole number")]
    [InlineData("--max-connections", "-1", "--max-connections must be at least 0")]
    [InlineData("--max-connections", "3000000000", "--max-connections must be at most 2147483647")]
    public async Task ABadFlagIsOneLineNamingItAndExitCodeTwo(string flag, string value, string message)
    {
        (int code, string[] stderr, string stdout) = await Settings.FailAsync(flag, value);

        Assert.Equal(2, code);
        Assert.Equal($"wsserver: {message}.", Assert.Single(stderr));
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("handshakeTimeout", "0", "'handshakeTimeout' must be more than 0 seconds")]
    [InlineData("handshakeTimeout", "\"off\"", "'handshakeTimeout': 'off' is not a number of seconds")]
    [InlineData("handshakeTimeout", "true", "'handshakeTimeout' must be a number of seconds")]
    [InlineData("idleTimeout", "\"soon\"", "'idleTimeout': 'soon' is not a number of seconds or off")]
    [InlineData("idleTimeout", "[]", "'idleTimeout' must be a number of seconds or \"off\"")]
    [InlineData("keepalive", "-1", "'keepalive' must not be negative")]
    [InlineData("pongTimeout", "1e9", "'pongTimeout' must be at most 604800 seconds")]
    [InlineData("closeTimeout", "\"off\"", "'closeTimeout': 'off' is not a number of seconds")]
    [InlineData("drainTimeout", "-1", "'drainTimeout' must not be negative")]
    [InlineData("maxMessageSize", "0", "'maxMessageSize' must be between 1 and")]
    [InlineData("sendQueueLimit", "0", "'sendQueueLimit' must be between 1 and")]
    [InlineData("sendQueueLimit", "\"1MB\"", "'sendQueueLimit' must be a number")]
    [InlineData("slowConsumer", "\"sometimes\"", "'slowConsumer': 'sometimes' is not one of wait, close, drop")]
    [InlineData("slowConsumer", "1", "'slowConsumer' must be a string")]
    [InlineData("maxConnectionsPerIp", "-1", "'maxConnectionsPerIp' must be between 0 and")]
    [InlineData("maxConnections", "1.5", "'maxConnections' must be a whole number")]
    [InlineData("maxConnections", "-1", "'maxConnections' must be between 0 and")]
    [InlineData("workers", "0", "'workers' must be between 1 and")]
    [InlineData("compression", "\"no\"", "'compression' must be true or false")]
    public async Task ABadConfigValueIsOneLineNamingTheKeyAndExitCodeTwo(string key, string json, string message)
    {
        string config = Settings.ConfigFile($$"""{ "{{key}}": {{json}} }""");

        (int code, string[] stderr, string stdout) = await Settings.FailAsync("--config", config);

        Assert.Equal(2, code);
        Assert.StartsWith($"wsserver: --config: {message}", Assert.Single(stderr), StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task ABadLimitFlagFromTheProgramItselfExitsTwo()
    {
        using HostProcess host = HostProcess.Start("--idle-timeout", "soon");

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Equal("wsserver: --idle-timeout: 'soon' is not a number of seconds or off.", Assert.Single(host.Stderr));
    }

    [Fact]
    public async Task ABadLimitKeyFromTheProgramItselfExitsTwo()
    {
        using HostProcess host = HostProcess.Start("--config", Settings.ConfigFile("""{ "maxConnectionsPerIp": -1 }"""));

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.StartsWith("wsserver: --config: 'maxConnectionsPerIp' must be between 0 and", Assert.Single(host.Stderr), StringComparison.Ordinal);
    }
}
