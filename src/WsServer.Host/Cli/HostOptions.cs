using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using WsServer.Host.Handlers;
using WsServer.Protocol.Session;

namespace WsServer.Host.Cli;

/// <summary>The program's flags, each with its default and its validation; a violation becomes a
/// parse error with a one-line message naming the flag.</summary>
internal sealed class HostOptions
{
    public Option<int> Port { get; } = new("--port", "-p")
    {
        Description = "The TCP port to listen on; 0 picks a free one.",
        DefaultValueFactory = _ => 8080,
        CustomParser = r => (int)ParseInteger(r, 0, IPEndPoint.MaxPort),
    };

    public Option<IPAddress> Address { get; } = new("--address", "-a")
    {
        Description = "The address to bind: 0.0.0.0 (any IPv4), :: (dual-stack), 127.0.0.1, or one address.",
        DefaultValueFactory = _ => IPAddress.Any,
        CustomParser = ParseAddress,
    };

    public Option<int> Workers { get; } = new("--workers", "-w")
    {
        Description = "The most connections served at once; more wait in the listen backlog.",
        DefaultValueFactory = _ => 1024,
        CustomParser = r => (int)ParseInteger(r, 1, int.MaxValue),
    };

    public Option<string> Handler { get; } = new("--handler")
    {
        Description = $"The handler: a built-in ({string.Join(", ", HandlerCatalog.BuiltInNames)}) or PATH.dll:Namespace.TypeName.",
        DefaultValueFactory = _ => "echo",
    };

    public Option<long> MaxMessageSize { get; } = new("--max-message-size")
    {
        Description = "The largest message accepted, in bytes (inclusive); a larger one closes with 1009.",
        DefaultValueFactory = _ => ProtocolOptions.DefaultMaxMessageSize,
        CustomParser = r => ParseInteger(r, 1, long.MaxValue),
    };

    public Option<LogLevel> LogLevel { get; } = new("--log-level")
    {
        Description = "The least severe log level written: Trace, Debug, Information, Warning, Error, Critical or None.",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information,
        CustomParser = ParseLogLevel,
    };

    public Option<bool> Compression { get; } = new("--compression")
    {
        Description = "Negotiate permessage-deflate (RFC 7692) with clients that offer it (the default).",
    };

    public Option<bool> NoCompression { get; } = new("--no-compression")
    {
        Description = "Decline permessage-deflate: every message is sent and accepted uncompressed.",
    };

    public HostOptions()
    {
        Handler.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>())) r.AddError("--handler must not be empty.");
        });
        NoCompression.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<bool>() && r.Parent?.GetResult(Compression) is { } c && c.GetValueOrDefault<bool>())
                r.AddError("--compression and --no-compression exclude each other.");
        });
    }

    public IEnumerable<Option> All => [Port, Address, Workers, Handler, MaxMessageSize, LogLevel, Compression, NoCompression];

    public HostSettings Read(ParseResult result) => new(
        result.GetRequiredValue(Address),
        result.GetValue(Port),
        result.GetValue(Workers),
        result.GetRequiredValue(Handler),
        result.GetValue(MaxMessageSize),
        result.GetValue(LogLevel))
    {
        Compression = !result.GetValue(NoCompression),
    };

    private static long ParseInteger(ArgumentResult result, long min, long max)
    {
        string text = Token(result);
        string name = ((OptionResult)result.Parent!).Option.Name;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            result.AddError($"{name}: '{text}' is not a whole number.");
        else if (value < min)
            result.AddError($"{name} must be at least {min}.");
        else if (value > max)
            result.AddError($"{name} must be at most {max}.");
        else
            return value;
        return min;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count == 1 ? result.Tokens[0].Value : "";

    private static IPAddress ParseAddress(ArgumentResult result)
    {
        string text = Token(result);
        if (IPAddress.TryParse(text, out IPAddress? address)) return address;
        result.AddError($"--address: '{text}' is not an IP address.");
        return IPAddress.None;
    }

    private static LogLevel ParseLogLevel(ArgumentResult result)
    {
        string text = Token(result);
        // Names only: Enum.TryParse alone would also take "3" or "Warning,Error".
        if (Enum.GetNames<LogLevel>().Contains(text, StringComparer.OrdinalIgnoreCase))
            return Enum.Parse<LogLevel>(text, ignoreCase: true);
        result.AddError($"--log-level: '{text}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}.");
        return Microsoft.Extensions.Logging.LogLevel.None;
    }
}
