namespace WsServer.Protocol.Messages;

/// <summary>The two kinds of data message (RFC 6455 §5.6).</summary>
public enum MessageKind
{
    /// <summary>UTF-8 text.</summary>
    Text,
    /// <summary>Arbitrary bytes.</summary>
    Binary,
}
