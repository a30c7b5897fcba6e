using System.CommandLine;
using WsServer.Hosting;

namespace WsServer.Host.Cli;

/// <summary>The flags for timeouts and limits. The defaults are the library's (<see cref="ServerOptions"/>).</summary>
internal sealed partial class HostOptions
{
    private static readonly ServerOptions Defaults = new();

    public Option<string> HandshakeTimeout { get; } = TimeoutOption("--handshake-timeout", canBeOff: false, Defaults.HandshakeTimeout,
        "Seconds a client has for its PROXY header and TLS handshake, and again for its upgrade request; then it is dropped.");

    public Option<string> IdleTimeout { get; } = TimeoutOption("--idle-timeout", canBeOff: true, Defaults.IdleTimeout,
        "Seconds without a frame from the peer (its ping unanswered) before it is closed with 1000.");

    public Option<string> KeepAlive { get; } = TimeoutOption("--keepalive", canBeOff: true, Defaults.KeepAliveInterval,
        "Seconds without a frame from the peer before the server pings it.");

    public Option<string> PongTimeout { get; } = TimeoutOption("--pong-timeout", canBeOff: true, Defaults.PongTimeout,
        "Seconds a ping waits for its pong before the peer is taken for gone (closed with 1011).");

    public Option<string> CloseTimeout { get; } = TimeoutOption("--close-timeout", canBeOff: false, Defaults.CloseTimeout,
        "Seconds the closing handshake may take, once started, before the TCP connection is cut.");

    public Option<string> DrainTimeout { get; } = TimeoutOption("--drain-timeout", canBeOff: false, Defaults.DrainTimeout,
        "Seconds Ctrl+C or SIGTERM waits for connections to close after 1001 before cutting them; 0 cuts them at once.");

    public Option<string> SendQueueLimit { get; } = new("--send-queue-limit")
    {
        Description = "Bytes that may wait to be sent to one connection before --slow-consumer applies.",
        HelpName = "BYTES",
        DefaultValueFactory = _ => Text(Defaults.SendQueueLimit),
    };

    public Option<string> SlowConsumer { get; } = new("--slow-consumer")
    {
        Description = "A send to a connection whose queue is over --send-queue-limit: wait (back-pressure), close (1008) or drop (the message). Default: wait.",
        HelpName = "wait|close|drop",
    };

    public Option<string> MaxFragmentsPerMessage { get; } = new("--max-fragments-per-message")
    {
        Description = "Frames one incoming message may come in; the next closes the connection with 1009 (a message kept open with empty continuation frames).",
        HelpName = "N",
        DefaultValueFactory = _ => Text(Defaults.MaxFragmentsPerMessage),
    };

    public Option<string> MaxConnectionsPerIp { get; } = new("--max-connections-per-ip")
    {
        Description = "Open WebSocket connections from one client address (the PROXY header's with --proxy-protocol); more are refused with 503 and Retry-After. 0: no limit.",
        HelpName = "N",
        DefaultValueFactory = _ => Text(Defaults.MaxConnectionsPerIp),
    };

    public Option<string> ConnectionsPerSecondPerIp { get; } = new("--connections-per-second-per-ip")
    {
        Description = "New WebSocket connections a second from one client address; more are refused with 429 and Retry-After: 1. 0: no limit.",
        HelpName = "N",
        DefaultValueFactory = _ => Text(Defaults.ConnectionsPerSecondPerIp),
    };

    public Option<string> MaxConnections { get; } = new("--max-connections")
    {
        Description = "Open WebSocket connections in all; more are refused with 503 and Retry-After (--workers, by contrast, makes sockets wait). 0: no limit.",
        HelpName = "N",
        DefaultValueFactory = _ => Text(Defaults.MaxConnections),
    };

    private IEnumerable<Option> LimitOptions =>
        [HandshakeTimeout, IdleTimeout, KeepAlive, PongTimeout, CloseTimeout, DrainTimeout, SendQueueLimit, SlowConsumer,
         MaxFragmentsPerMessage, MaxConnectionsPerIp, ConnectionsPerSecondPerIp, MaxConnections];

    /// <summary>The configuration key of a flag: its name in camelCase, a list's in the plural; null for
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

    // No default value in the parser (its help would print 00:00:10): the default is the library's, said in the description.
    private static Option<string> TimeoutOption(string name, bool canBeOff, TimeSpan defaultValue, string description) => new(name)
    {
        Description = $"{description}{(canBeOff ? " 0 or off: never." : "")} Default: {Describe(defaultValue)}.",
        HelpName = canBeOff ? "SECONDS|off" : "SECONDS",
    };

    private static string Describe(TimeSpan value) => value == Timeout.InfiniteTimeSpan ? "off" : $"{value.TotalSeconds:0.###}";
}
