namespace WsServer.Protocol.Closing;

/// <summary>Status codes of a close frame, named as the registry in RFC 6455 §7.4.1 and §11.7 names them.</summary>
public enum CloseCode : ushort
{
    /// <summary>1000: the purpose for which the connection was established has been fulfilled.</summary>
    NormalClosure = 1000,
    /// <summary>1001: an endpoint is going away (server shutdown, page navigated away).</summary>
    GoingAway = 1001,
    /// <summary>1002: the peer broke the protocol.</summary>
    ProtocolError = 1002,
    /// <summary>1003: a data type the endpoint cannot accept.</summary>
    UnsupportedData = 1003,
    /// <summary>1005: no status code was present; never sent on the wire.</summary>
    NoStatusReceived = 1005,
    /// <summary>1006: the connection closed without a close frame; never sent on the wire.</summary>
    AbnormalClosure = 1006,
    /// <summary>1007: message data inconsistent with its type (invalid UTF-8 in a text message).</summary>
    InvalidPayloadData = 1007,
    /// <summary>1008: a message that violates the endpoint's policy.</summary>
    PolicyViolation = 1008,
    /// <summary>1009: a message too big to process.</summary>
    MessageTooBig = 1009,
    /// <summary>1010: the client expected an extension the server did not negotiate.</summary>
    MandatoryExtension = 1010,
    /// <summary>1011: the server met an unexpected condition.</summary>
    InternalError = 1011,
    /// <summary>1012: the service is restarting.</summary>
    ServiceRestart = 1012,
    /// <summary>1013: try again later.</summary>
    TryAgainLater = 1013,
    /// <summary>1014: the server, acting as a gateway, got an invalid response.</summary>
    BadGateway = 1014,
    /// <summary>1015: the TLS handshake failed; never sent on the wire.</summary>
    TlsHandshake = 1015,
}
