using WsServer.Protocol.Session;

namespace WsServer.Fuzz.Targets;

/// <summary>The targets by name.</summary>
public static class FuzzTargets
{
    /// <summary>frame: the server reading client frames; handshake: the server's opening handshake;
    /// session: the client reading server frames.</summary>
    public static IReadOnlyList<string> Names { get; } = ["frame", "handshake", "session"];

    /// <summary>A new target, or null for an unknown name.</summary>
    public static IFuzzTarget? Create(string name) => name switch
    {
        "frame" => new SessionTarget("frame", EndpointRole.Server),
        "handshake" => new HandshakeTarget(),
        "session" => new SessionTarget("session", EndpointRole.Client),
        _ => null,
    };
}
