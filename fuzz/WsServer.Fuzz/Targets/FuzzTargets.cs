using WsServer.Protocol.Session;
using WsServer.Protocol.Framing;

namespace WsServer.Fuzz.Targets;

/// <summary>The targets by name.</summary>
public static class FuzzTargets
{
    /// <summary>frame: the server reading client frames; handshake: the server's opening handshake;
    /// session: the client reading server frames; proxy: the server layer's PROXY protocol header parser.</summary>
    public static IReadOnlyList<string> Names { get; } = ["frame", "handshake", "session", "proxy"];

    /// <summary>A new target, or null for an unknown name.</summary>
    public static IFuzzTarget? Create(string name) => name switch
    {
        "frame" => new SessionTarget("frame", EndpointRole.Server),
        "handshake" => new HandshakeTarget(),
        "session" => new SessionTarget("session", EndpointRole.Client),
        "proxy" => new ProxyTarget(),
        _ => null,
    };
}
