using System.CommandLine;
using System.CommandLine.Parsing;
using WsServer.Connections;

namespace WsServer.Host.Cli;

/// <summary>The flags for timeouts and limits, and how they are read from the command line or the config
/// file. The defaults are the library's (<see cref="LimitSettings"/>).</summary>
internal sealed partial class HostOptions
{
    private static readonly LimitSettings Defaults = new();

    public Option<TimeSpan> HandshakeTimeout { get; } = SecondsOption("--handshake-timeout", SecondsRule.Positive, Defaults.HandshakeTimeout,
        "Seconds a client has for its PROXY header and TLS handshake, and again for its upgrade request; then it is dropped.");

    public Option<TimeSpan> IdleTimeout { get; } = SecondsOption("--idle-timeout", SecondsRule.PositiveOrOff, Defaults.IdleTimeout,
        "Seconds without a frame from the peer (its ping unanswered) before it is closed with 1000.");

    public Option<TimeSpan> KeepAlive { get; } = SecondsOption("--keepalive", SecondsRule.PositiveOrOff, Defaults.KeepAliveInterval,
        "Seconds without a frame from the peer before the server pings it.");

    public Option<TimeSpan> PongTimeout { get; } = SecondsOption("--pong-timeout", SecondsRule.PositiveOrOff, Defaults.PongTimeout,
        "Seconds a ping waits for its pong before the peer is taken for gone (closed with 1011).");

    public Option<TimeSpan> CloseTimeout { get; } = SecondsOption("--close-timeout", SecondsRule.Positive, Defaults.CloseTimeout,
        "Seconds the closing handshake may take, once started, before the TCP connection is cut.");

    public Option<TimeSpan> DrainTimeout { get; } = SecondsOption("--drain-timeout", SecondsRule.ZeroOrMore, Defaults.DrainTimeout,
        "Seconds Ctrl+C or SIGTERM waits for connections to close after 1001 before cutting them; 0 cuts them at once.");

    public Option<long> SendQueueLimit { get; } = new("--send-queue-limit")
    {
        Description = "Bytes that may wait to be sent to one connection before --slow-consumer applies.",
        HelpName = "BYTES",
        DefaultValueFactory = _ => Defaults.SendQueueLimit,
        CustomParser = r => ParseInteger(r, 1, long.MaxValue),
    };

    public Option<SlowConsumerPolicy> SlowConsumer { get; } = new("--slow-consumer")
    {
        Description = "A send to a connection whose queue is over --send-queue-limit: wait (back-pressure), close (1008) or drop (the message). Default: wait.",
        HelpName = "wait|close|drop",
        CustomParser = ParseSlowConsumer,
    };

    public Option<int> MaxConnectionsPerIp { get; } = new("--max-connections-per-ip")
    {
        Description = "Open WebSocket connections from one client address (the PROXY header's with --proxy-protocol); more are refused with 503 and Retry-After. 0: no limit.",
        HelpName = "N",
        DefaultValueFactory = _ => Defaults.MaxConnectionsPerIp,
        CustomParser = r => (int)ParseInteger(r, 0, int.MaxValue),
    };

    public Option<int> MaxConnections { get; } = new("--max-connections")
    {
        Description = "Open WebSocket connections in all; more are refused with 503 and Retry-After (--workers, by contrast, makes sockets wait). 0: no limit.",
        HelpName = "N",
        DefaultValueFactory = _ => Defaults.MaxConnections,
        CustomParser = r => (int)ParseInteger(r, 0, int.MaxValue),
    };

    private IEnumerable<Option> LimitOptions =>
        [HandshakeTimeout, IdleTimeout, KeepAlive, PongTimeout, CloseTimeout, DrainTimeout, SendQueueLimit, SlowConsumer,
         MaxConnectionsPerIp, MaxConnections];

    /// <summary>The config-file key of a flag: its name in camelCase, a list's in the plural; null for
    /// <c>--config</c>. <c>--no-compression</c> is <c>"compression": false</c>, <c>--no-inline-io</c> <c>"inlineIo": false</c>.</summary>
    public static string? ConfigKey(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.Name switch
        {
            "--config" => null,
            "--route" => "routes",
            "--subprotocol" => "subprotocols",
            "--allow-origin" => "allowOrigins",
            "--no-compression" => "compression",
            "--no-inline-io" => "inlineIo",
            _ => string.Concat(option.Name.TrimStart('-').Split('-').Select((word, i) => i == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..])),
        };
    }

    private LimitSettings ReadLimits(ParseResult result, ConfigFile config, Func<Option, bool> given)
    {
        // The timeouts have no default value in the parser (its help would print 00:00:10): the default is the library's.
        TimeSpan PickSeconds(Option<TimeSpan> option, SecondsRule rule, TimeSpan fallback) =>
            given(option) ? result.GetValue(option) : config.Seconds(ConfigKey(option)!, rule) ?? fallback;
        long PickLong(Option<long> option, long min) =>
            given(option) || config.Integer(ConfigKey(option)!) is not { } value ? result.GetValue(option) : Checked(ConfigKey(option)!, value, min, long.MaxValue);
        int PickCount(Option<int> option) =>
            given(option) || config.Integer(ConfigKey(option)!) is not { } value ? result.GetValue(option) : (int)Checked(ConfigKey(option)!, value, 0, int.MaxValue);

        return new LimitSettings
        {
            HandshakeTimeout = PickSeconds(HandshakeTimeout, SecondsRule.Positive, Defaults.HandshakeTimeout),
            IdleTimeout = PickSeconds(IdleTimeout, SecondsRule.PositiveOrOff, Defaults.IdleTimeout),
            KeepAliveInterval = PickSeconds(KeepAlive, SecondsRule.PositiveOrOff, Defaults.KeepAliveInterval),
            PongTimeout = PickSeconds(PongTimeout, SecondsRule.PositiveOrOff, Defaults.PongTimeout),
            CloseTimeout = PickSeconds(CloseTimeout, SecondsRule.Positive, Defaults.CloseTimeout),
            DrainTimeout = PickSeconds(DrainTimeout, SecondsRule.ZeroOrMore, Defaults.DrainTimeout),
            SendQueueLimit = PickLong(SendQueueLimit, 1),
            SlowConsumer = given(SlowConsumer) ? result.GetValue(SlowConsumer)
                : config.String("slowConsumer") is not { } policy ? Defaults.SlowConsumer
                : SlowConsumerNamed(policy) ?? throw new UsageException($"--config: 'slowConsumer': '{policy}' is not one of {SlowConsumerNames}"),
            MaxConnectionsPerIp = PickCount(MaxConnectionsPerIp),
            MaxConnections = PickCount(MaxConnections),
        };
    }

    private static Option<TimeSpan> SecondsOption(string name, SecondsRule rule, TimeSpan defaultValue, string description) => new(name)
    {
        Description = $"{description}{(rule == SecondsRule.PositiveOrOff ? " 0 or off: never." : "")} Default: {Describe(defaultValue)}.",
        HelpName = rule == SecondsRule.PositiveOrOff ? "SECONDS|off" : "SECONDS",
        CustomParser = r => ParseSeconds(r, rule),
    };

    private static string Describe(TimeSpan value) => value == Timeout.InfiniteTimeSpan ? "off" : $"{value.TotalSeconds:0.###}";

    private static TimeSpan ParseSeconds(ArgumentResult result, SecondsRule rule)
    {
        if (Seconds.TryParse(Token(result), rule, out TimeSpan value, out string error)) return value;
        result.AddError($"{((OptionResult)result.Parent!).Option.Name}{error}.");
        return TimeSpan.Zero;
    }

    private static string SlowConsumerNames => string.Join(", ", Enum.GetNames<SlowConsumerPolicy>().Select(n => n.ToLowerInvariant()));

    // Names only: Enum.TryParse alone would also take "1".
    private static SlowConsumerPolicy? SlowConsumerNamed(string text) =>
        Enum.GetNames<SlowConsumerPolicy>().Contains(text, StringComparer.OrdinalIgnoreCase) ? Enum.Parse<SlowConsumerPolicy>(text, ignoreCase: true) : null;

    private static SlowConsumerPolicy ParseSlowConsumer(ArgumentResult result)
    {
        string text = Token(result);
        if (SlowConsumerNamed(text) is { } policy) return policy;
        result.AddError($"--slow-consumer: '{text}' is not one of {SlowConsumerNames}.");
        return SlowConsumerPolicy.Wait;
    }
}
