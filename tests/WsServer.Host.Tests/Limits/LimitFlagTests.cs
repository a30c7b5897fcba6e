using System.Reflection;
using System.Text.Json;
using WsServer.Connections;
using WsServer.Host.Tests.TestSupport;
using WsServer.Hosting;

namespace WsServer.Host.Tests.Limits;

/// <summary>Every limit is a flag and a config-file key, read into the <see cref="ServerOptions"/> the
/// program serves with; 0 or <c>off</c> turns a timeout that can be off off.</summary>
public sealed class LimitFlagTests
{
    private static readonly TimeSpan Never = Timeout.InfiniteTimeSpan;

    /// <summary>flag, its value, the config key, its JSON value, the option, the value it gets.</summary>
    public static TheoryData<string, string, string, string, string, object> Limits => new()
    {
        { "--handshake-timeout", "3", "handshakeTimeout", "3", "HandshakeTimeout", TimeSpan.FromSeconds(3) },
        { "--handshake-timeout", "0.25", "handshakeTimeout", "0.25", "HandshakeTimeout", TimeSpan.FromMilliseconds(250) },
        { "--idle-timeout", "90", "idleTimeout", "90", "IdleTimeout", TimeSpan.FromSeconds(90) },
        { "--idle-timeout", "off", "idleTimeout", "\"off\"", "IdleTimeout", Never },
        { "--idle-timeout", "0", "idleTimeout", "0", "IdleTimeout", Never },
        { "--idle-timeout", "infinite", "idleTimeout", "\"infinite\"", "IdleTimeout", Never },
        { "--keepalive", "20", "keepalive", "20", "KeepAliveInterval", TimeSpan.FromSeconds(20) },
        { "--keepalive", "off", "keepalive", "\"off\"", "KeepAliveInterval", Never },
        { "--keepalive", "0", "keepalive", "0", "KeepAliveInterval", Never },
        { "--pong-timeout", "7", "pongTimeout", "7", "PongTimeout", TimeSpan.FromSeconds(7) },
        { "--pong-timeout", "off", "pongTimeout", "\"Off\"", "PongTimeout", Never },
        { "--close-timeout", "2", "closeTimeout", "2", "CloseTimeout", TimeSpan.FromSeconds(2) },
        { "--close-timeout", "0.5", "closeTimeout", "\"0.5\"", "CloseTimeout", TimeSpan.FromMilliseconds(500) },
        { "--drain-timeout", "30", "drainTimeout", "30", "DrainTimeout", TimeSpan.FromSeconds(30) },
        { "--drain-timeout", "0", "drainTimeout", "0", "DrainTimeout", TimeSpan.Zero },
        { "--max-message-size", "4096", "maxMessageSize", "4096", "MaxMessageSize", 4096L },
        { "--send-queue-limit", "65536", "sendQueueLimit", "65536", "SendQueueLimit", 65536L },
        { "--slow-consumer", "wait", "slowConsumer", "\"wait\"", "SlowConsumer", SlowConsumerPolicy.Wait },
        { "--slow-consumer", "close", "slowConsumer", "\"close\"", "SlowConsumer", SlowConsumerPolicy.Close },
        { "--slow-consumer", "DROP", "slowConsumer", "\"drop\"", "SlowConsumer", SlowConsumerPolicy.Drop },
        { "--max-connections-per-ip", "10", "maxConnectionsPerIp", "10", "MaxConnectionsPerIp", 10 },
        { "--max-connections-per-ip", "0", "maxConnectionsPerIp", "0", "MaxConnectionsPerIp", 0 },
        { "--max-connections", "5000", "maxConnections", "5000", "MaxConnections", 5000 },
        { "--workers", "10", "workers", "10", "Workers", 10 },
    };

    private static object? Option(ServerOptions options, string name) =>
        typeof(ServerOptions).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.GetValue(options);

    [Theory]
    [MemberData(nameof(Limits))]
    public void TheFlagSetsItsOption(string flag, string value, string key, string json, string option, object expected)
    {
        _ = (key, json);
        Assert.Equal(expected, Option(Settings.Options(flag, value), option));
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void TheConfigKeySetsItsOption(string flag, string value, string key, string json, string option, object expected)
    {
        _ = (flag, value);
        Assert.Equal(expected, Option(Settings.FromConfig($$"""{ "{{key}}": {{json}} }"""), option));
    }

    [Theory]
    [MemberData(nameof(Limits))]
    public void TheFlagWinsOverTheConfigKey(string flag, string value, string key, string json, string option, object expected)
    {
        _ = json;
        // A config value different from the flag's: the default when the flag's differs from it, else another valid one.
        object defaultValue = Option(new ServerOptions(), option)!;
        string other = Equals(defaultValue, expected) ? (option == "SlowConsumer" ? "\"drop\"" : "3") : JsonValueOf(defaultValue);
        ServerOptions options = Settings.FromConfig($$"""{ "{{key}}": {{other}} }""", flag, value);
        Assert.Equal(expected, Option(options, option));
    }

    private static string JsonValueOf(object value) => value switch
    {
        TimeSpan t when t == Timeout.InfiniteTimeSpan => "\"off\"",
        TimeSpan t => JsonSerializer.Serialize(t.TotalSeconds),
        SlowConsumerPolicy p => $"\"{p.ToString().ToLowerInvariant()}\"",
        _ => JsonSerializer.Serialize(value),
    };

    [Fact]
    public void WithoutFlagsEveryLimitIsTheLibrarysDefault()
    {
        var library = new ServerOptions();
        ServerOptions program = Settings.Options();

        foreach (string option in new[] { "HandshakeTimeout", "IdleTimeout", "KeepAliveInterval", "PongTimeout", "CloseTimeout", "DrainTimeout",
                     "MaxMessageSize", "SendQueueLimit", "SlowConsumer", "MaxConnectionsPerIp", "MaxConnections", "Workers" })
            Assert.Equal(Option(library, option), Option(program, option));
    }

    [Theory]
    [InlineData("--handshake-timeout <SECONDS> ", "Default: 10.")]
    [InlineData("--idle-timeout <SECONDS|off> ", "0 or off: never. Default: 120.")]
    [InlineData("--keepalive <SECONDS|off> ", "0 or off: never. Default: 30.")]
    [InlineData("--pong-timeout <SECONDS|off> ", "0 or off: never. Default: 15.")]
    [InlineData("--close-timeout <SECONDS> ", "Default: 5.")]
    [InlineData("--drain-timeout <SECONDS> ", "0 cuts them at once. Default: 10.")]
    [InlineData("--send-queue-limit <BYTES> ", "[default: 1048576]")]
    [InlineData("--slow-consumer <wait|close|drop> ", "Default: wait.")]
    [InlineData("--max-connections-per-ip <N> ", "0: no limit. [default: 0]")]
    [InlineData("--max-connections <N> ", "0: no limit. [default: 0]")]
    public async Task HelpGivesEachLimitItsUnitDefaultAndWhetherItCanBeOff(string usage, string ending)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, await Cli.HostCommand.RunAsync(["--help"], output, error));

        string line = Assert.Single(output.ToString().Split('\n'), l => l.TrimStart().StartsWith(usage, StringComparison.Ordinal));
        Assert.EndsWith(ending, line.TrimEnd(), StringComparison.Ordinal);
    }
}
