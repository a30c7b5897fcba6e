using WsServer.Protocol.Closing;

namespace WsServer.Connections;

/// <summary>Who ended a connection: on the server's connections and in a <see cref="Client.WebSocketClient"/> alike,
/// the peer is the other end and local is this one.</summary>
public enum CloseInitiator
{
    /// <summary>The peer sent a close frame first: the client, on the server; the server, in a client.</summary>
    Peer,
    /// <summary>This side sent a close frame first: on the server a handler's close, a send of close, server
    /// stop, a protocol violation or a limit; in a client its close or a protocol violation of the server's.</summary>
    Local,
    /// <summary>The transport ended without a closing handshake (reset, timeout, EOF).</summary>
    Transport,
}

/// <summary>How a connection ended, as told to <see cref="IWebSocketHandler{TState}.ClosedAsync"/>.</summary>
/// <param name="Code">The close code that ended it: the peer's, ours, or 1006 when no close frame
/// was exchanged (null when the peer's close frame had no code: 1005 semantics).</param>
/// <param name="Reason">The close reason, possibly empty.</param>
/// <param name="Initiator">Who started the close.</param>
/// <param name="Error">The exception behind a 1011 or a transport failure; null otherwise.</param>
public sealed record ConnectionClosed(CloseCode? Code, string Reason, CloseInitiator Initiator, Exception? Error = null);
