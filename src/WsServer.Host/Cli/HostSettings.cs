using WsServer.Host.BuiltInHandlers;
using System.Net;
using Microsoft.Extensions.Logging;

namespace WsServer.Host.Cli;

/// <summary>What the flags asked for, validated.</summary>
/// <param name="Address">The address to bind.</param>
/// <param name="Port">The TCP port; 0 picks a free one.</param>
/// <param name="Workers">The most connections served at once (at least 1).</param>
/// <param name="Handler">A built-in handler's name, or <c>PATH.dll:Namespace.TypeName</c>.</param>
/// <param name="MaxMessageSize">The largest message accepted, in bytes, inclusive.</param>
/// <param name="LogLevel">The least severe level written to the console.</param>
public sealed record HostSettings(
    IPAddress Address, int Port, int Workers, string Handler, long MaxMessageSize, LogLevel LogLevel)
{
    /// <summary>Timeouts and connection limits.</summary>
    public LimitSettings Limits { get; init; } = new();

    /// <summary>TLS, PROXY protocol, routes, subprotocols and origins.</summary>
    public TransportSettings Transport { get; init; } = new();

    /// <summary>Negotiate permessage-deflate (<c>--compression</c>, the default; <c>--no-compression</c>
    /// or <c>"compression": false</c> in the config file declines it).</summary>
    public bool Compression { get; init; } = true;

    /// <summary>Run socket completions on the event thread (<c>--inline-io</c>, <c>"inlineIo"</c>); null for
    /// the default, <see cref="UsesInlineIo"/>.</summary>
    public bool? InlineIo { get; init; }

    /// <summary>Inline I/O when asked, else when every handler is a built-in one (none of them blocks).</summary>
    public bool UsesInlineIo => InlineIo ?? Transport.Routes.Select(r => r.Handler).Append(Handler)
        .All(h => Handlers.HandlerCatalog.BuiltInNames.Contains(h, StringComparer.Ordinal));

    /// <summary>The Redis to share the built-in broadcast and chat rooms through, as a StackExchange.Redis
    /// configuration or a <c>redis://</c> URL (<c>--redis</c>, <c>"redis"</c>); null for this process only.</summary>
    public string? Redis { get; init; }

    /// <summary>How many messages each chat room keeps (<c>--chat-history</c>, <c>"chatHistory"</c>); 0 for none.</summary>
    public int ChatHistory { get; init; } = ChatHandler.DefaultHistoryLength;
}
