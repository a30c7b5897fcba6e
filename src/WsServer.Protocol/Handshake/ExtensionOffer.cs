namespace WsServer.Protocol.Handshake;

/// <summary>One extension offered in <c>Sec-WebSocket-Extensions</c> (RFC 6455 §9.1), with its parameters in order.</summary>
public sealed record ExtensionOffer(string Name, IReadOnlyList<ExtensionParameter> Parameters);

/// <summary>An extension parameter; <see cref="Value"/> is null for a bare name (unquoted if it was quoted).</summary>
public readonly record struct ExtensionParameter(string Name, string? Value);
