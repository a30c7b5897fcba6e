using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Limits;

/// <summary>A bad limit, as a flag or a config-file key, is one line naming it and quoting the value,
/// and exit code 2, before anything listens.</summary>
public sealed class LimitErrorTests
{
    private const string Timeout = "must be more than 0 s and at most 49 days, as seconds (30, 0.5) or a TimeSpan (00:00:30)";
    private const string TimeoutOrOff = "must be more than 0 s, as seconds (30, 0.5) or a TimeSpan (00:00:30), or 0 or off for never";
    private const string DrainTimeout = "must be from 0 to 49 days, as seconds (30, 0.5) or a TimeSpan (00:00:30)";
    private const string Policy = "must be one of Wait, Close, Drop";

    [Theory]
    [InlineData("--handshake-timeout", "0", Timeout)]
    [InlineData("--handshake-timeout", "off", Timeout)]
    [InlineData("--handshake-timeout", "abc", Timeout)]
    [InlineData("--handshake-timeout", "-1", Timeout)]
    [InlineData("--handshake-timeout", "1e9", Timeout)]
    [InlineData("--handshake-timeout", "NaN", Timeout)]
    [InlineData("--idle-timeout", "soon", TimeoutOrOff)]
    [InlineData("--idle-timeout", "-5", TimeoutOrOff)]
    [InlineData("--keepalive", "x", TimeoutOrOff)]
    [InlineData("--pong-timeout", "-1", TimeoutOrOff)]
    [InlineData("--close-timeout", "0", Timeout)]
    [InlineData("--close-timeout", "infinite", Timeout)]
    [InlineData("--drain-timeout", "-1", DrainTimeout)]
    [InlineData("--drain-timeout", "off", DrainTimeout)]
    [InlineData("--send-queue-limit", "0", "must be a whole number of at least 1")]
    [InlineData("--send-queue-limit", "1MB", "must be a whole number of at least 1")]
    [InlineData("--slow-consumer", "sometimes", Policy)]
    [InlineData("--slow-consumer", "1", Policy)]
    [InlineData("--max-connections-per-ip", "-1", "must be a whole number of at least 0")]
    [InlineData("--max-connections-per-ip", "many", "must be a whole number of at least 0")]
    [InlineData("--max-connections", "-1", "must be a whole number of at least 0")]
    [InlineData("--max-connections", "3000000000", "must be a whole number of at least 0")]
    public async Task ABadFlagIsOneLineNamingItAndExitCodeTwo(string flag, string value, string message)
    {
        (int code, string[] stderr, string stdout) = await Settings.FailAsync(flag, value);

        Assert.Equal(2, code);
        Assert.Equal($"wsserver: {flag} {message}, not '{value}'.", Assert.Single(stderr));
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("handshakeTimeout", "0", "0", Timeout)]
    [InlineData("handshakeTimeout", "\"off\"", "off", Timeout)]
    [InlineData("handshakeTimeout", "true", "True", Timeout)]
    [InlineData("idleTimeout", "\"soon\"", "soon", TimeoutOrOff)]
    [InlineData("keepalive", "-1", "-1", TimeoutOrOff)]
    [InlineData("pongTimeout", "-1e9", "-1e9", TimeoutOrOff)]
    [InlineData("closeTimeout", "\"off\"", "off", Timeout)]
    [InlineData("drainTimeout", "-1", "-1", DrainTimeout)]
    [InlineData("maxMessageSize", "0", "0", "must be a whole number of at least 1")]
    [InlineData("sendQueueLimit", "0", "0", "must be a whole number of at least 1")]
    [InlineData("sendQueueLimit", "\"1MB\"", "1MB", "must be a whole number of at least 1")]
    [InlineData("slowConsumer", "\"sometimes\"", "sometimes", Policy)]
    [InlineData("slowConsumer", "1", "1", Policy)]
    [InlineData("maxConnectionsPerIp", "-1", "-1", "must be a whole number of at least 0")]
    [InlineData("maxConnections", "1.5", "1.5", "must be a whole number of at least 0")]
    [InlineData("maxConnections", "-1", "-1", "must be a whole number of at least 0")]
    [InlineData("workers", "0", "0", "must be a whole number of at least 1")]
    [InlineData("compression", "\"no\"", "no", "must be true or false")]
    public async Task ABadConfigValueIsOneLineNamingTheFileAndKeyAndExitCodeTwo(string key, string json, string value, string message)
    {
        string config = Settings.ConfigFile($$"""{ "{{key}}": {{json}} }""");

        (int code, string[] stderr, string stdout) = await Settings.FailAsync("--config", config);

        Assert.Equal(2, code);
        Assert.Equal($"wsserver: {config}: {key} {message}, not '{value}'.", Assert.Single(stderr));
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task AnEmptyListForATimeoutNamesTheKey()
    {
        string config = Settings.ConfigFile("""{ "idleTimeout": [] }""");

        (int code, string[] stderr, _) = await Settings.FailAsync("--config", config);

        Assert.Equal(2, code);
        Assert.Equal($"wsserver: {config}: idleTimeout {TimeoutOrOff}, not ''.", Assert.Single(stderr));
    }

    [Fact]
    public async Task ABadLimitFlagFromTheProgramItselfExitsTwo()
    {
        using HostProcess host = HostProcess.Start("--idle-timeout", "soon");

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Equal($"wsserver: --idle-timeout {TimeoutOrOff}, not 'soon'.", Assert.Single(host.Stderr));
    }

    [Fact]
    public async Task ABadLimitKeyFromTheProgramItselfExitsTwo()
    {
        string config = Settings.ConfigFile("""{ "maxConnectionsPerIp": -1 }""");
        using HostProcess host = HostProcess.Start("--config", config);

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Equal($"wsserver: {config}: maxConnectionsPerIp must be a whole number of at least 0, not '-1'.", Assert.Single(host.Stderr));
    }
}
