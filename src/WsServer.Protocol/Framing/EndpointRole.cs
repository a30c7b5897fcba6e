namespace WsServer.Protocol.Framing;

/// <summary>Which end of the connection a session speaks for; decides who masks (RFC 6455 §5.1).</summary>
public enum EndpointRole
{
    /// <summary>Receives masked frames, sends unmasked ones.</summary>
    Server,
    /// <summary>Sends masked frames, receives unmasked ones.</summary>
    Client,
}
