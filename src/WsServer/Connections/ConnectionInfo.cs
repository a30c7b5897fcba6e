using System.Net;
using System.Security.Authentication;
using WsServer.Protocol.Handshake;

namespace WsServer.Connections;

/// <summary>Who connected, and how: what the seed's to-do list asked <c>init</c> to be told. Immutable
/// (read-only headers, frozen items), so safe to read from any thread.</summary>
public sealed record ConnectionInfo
{
    /// <summary>A number unique among this process's connections.</summary>
    public required long Id { get; init; }

    /// <summary>The client's address and port (from the PROXY header when the listener takes one). Connections from
    /// one address may share its <see cref="IPEndPoint.Address"/> object: read it, never change it.</summary>
    public required IPEndPoint RemoteEndPoint { get; init; }

    /// <summary>The address and port the client connected to (the PROXY header's destination when the
    /// listener takes one).</summary>
    public required IPEndPoint LocalEndPoint { get; init; }

    /// <summary>The request path (<c>/chat</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The query without its <c>?</c>; empty when absent.</summary>
    public required string Query { get; init; }

    /// <summary>The value of <paramref name="name"/> in <see cref="Query"/>, percent- and plus-decoded
    /// (<c>?name=ada%20l</c> gives <c>ada l</c>); the first when repeated; null when absent.</summary>
    public string? QueryValue(string name) => QueryString.GetValue(Query, name);

    /// <summary>The upgrade request's headers.</summary>
    public required HttpHeaders Headers { get; init; }

    /// <summary>The HTTP version of the upgrade: 1.1, or 2 for a WebSocket over an HTTP/2 stream (RFC 8441).</summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version11;

    /// <summary>The negotiated subprotocol; null for none.</summary>
    public string? Subprotocol { get; init; }

    /// <summary>The negotiated extensions, as answered in <c>Sec-WebSocket-Extensions</c>; null for none.</summary>
    public string? Extensions { get; init; }

    /// <summary>True for wss://.</summary>
    public bool IsTls { get; init; }

    /// <summary>The TLS version, when <see cref="IsTls"/>.</summary>
    public SslProtocols? TlsProtocol { get; init; }

    /// <summary>The TLS server name (SNI) the client asked for, when it sent one.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>Data the upgrade callback handed on (<c>UpgradeDecision.Accept(items: ...)</c>); empty when none.</summary>
    public IReadOnlyDictionary<string, object?> Items { get; init; } = System.Collections.Frozen.FrozenDictionary<string, object?>.Empty;

    /// <summary>The upgrade request as the HTTP server that received it knows it, when that is another server
    /// (ASP.NET Core's <c>HttpContext</c>, valid for the connection's life; WsServer.AspNetCore's
    /// <c>GetHttpContext()</c> reads it); null when WsServer accepted the connection itself.</summary>
    public object? HostContext { get; init; }

    /// <summary>When the TCP connection was accepted.</summary>
    public required DateTimeOffset AcceptedAt { get; init; }
}
