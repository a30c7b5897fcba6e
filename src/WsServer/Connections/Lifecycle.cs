namespace WsServer.Connections;

/// <summary>Where a connection is in its life: one value, owned by its <see cref="LiveSession"/>, from which
/// everything else is read (may it send, is it open, does its mailbox take items). It only moves forward.</summary>
internal enum Lifecycle
{
    /// <summary>Frames may be sent, and messages reach the handler.</summary>
    Open,

    /// <summary>A close frame was sent or received, the peer broke the protocol, or writing stopped: nothing
    /// more is queued, and what is queued still goes out.</summary>
    Closing,

    /// <summary>The connection's end is being handled: its mailbox and its subscriptions take nothing more.</summary>
    Ended,
}
