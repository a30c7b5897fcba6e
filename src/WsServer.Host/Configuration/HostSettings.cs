using Microsoft.Extensions.Logging;
using WsServer.Hosting;
using WsServer.Redis;
using WsServer.Routing;

namespace WsServer.Host.Configuration;

/// <summary>What the program serves with, read from its configuration and checked.</summary>
internal sealed class HostSettings
{
    /// <summary>The server's options, TLS set, no handler yet (see <see cref="Serving.HostedServer.CreateOptions"/>).</summary>
    public required ServerOptions Options { get; init; }

    /// <summary>The handler for the paths no route matches, as named: a built-in or <c>PATH.dll:Namespace.TypeName</c>.</summary>
    public required string Handler { get; init; }

    /// <summary>The options of the paths no route matches; null when only the routes are served (404 elsewhere).</summary>
    public WebSocketRouteOptions? Fallback { get; init; }

    /// <summary>The routes: each pattern with its handler, named as <see cref="Handler"/> is, and its options.</summary>
    public IReadOnlyList<HandlerRoute> Routes { get; init; } = [];

    /// <summary>How many messages each chat room keeps; 0 for none.</summary>
    public int ChatHistory { get; init; }

    /// <summary>The least severe level written to the console.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>The Redis that the built-in broadcast and chat rooms are shared through; null for this process only.</summary>
    public RedisBackplaneOptions? Redis { get; init; }

    /// <summary>Whether inline I/O was asked for (<c>--inline-io</c>, <c>"inlineIo"</c>); null for the default.</summary>
    public bool? InlineIo { get; init; }

    /// <summary>The live status page; null when not served (the default).</summary>
    public StatusSettings? Status { get; init; }

    /// <summary>The OpenTelemetry collector (OTLP/HTTP) the server's spans and metrics go to; null for none.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>Inline I/O when asked, else when every handler is a built-in one (none of them blocks).</summary>
    public bool UsesInlineIo => Options.InlineIo;
}

/// <summary>A route of the program: a pattern (<c>/chat</c>, <c>/rooms/*</c>), the handler named for it and its options.</summary>
internal sealed record HandlerRoute(string Pattern, string Handler, WebSocketRouteOptions Options);
