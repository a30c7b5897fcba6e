using WsServer.Protocol.Handshake;

namespace WsServer.Client;

/// <summary>The server did not accept the opening handshake (RFC 6455 §4.1): it answered with another
/// status than 101 (<see cref="StatusCode"/> says which), or with a 101 the client must refuse, or with
/// no HTTP answer at all. The connection was closed.</summary>
public sealed class WebSocketHandshakeException : IOException
{
    /// <summary>Creates the exception for an answer that was read.</summary>
    public WebSocketHandshakeException(string message, HandshakeResponse? response)
        : base(message) => Response = response;

    /// <summary>Creates the exception for a refusal that was read, with its body.</summary>
    public WebSocketHandshakeException(string message, HandshakeResponse? response, string? responseBody)
        : base(message)
    {
        Response = response;
        ResponseBody = responseBody;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public WebSocketHandshakeException() : base("The WebSocket handshake failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    public WebSocketHandshakeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure behind it.</summary>
    public WebSocketHandshakeException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The server's answer, when it was a well-formed HTTP response; null otherwise.</summary>
    public HandshakeResponse? Response { get; }

    /// <summary>The body of a refusal (a status other than 101), as UTF-8 text: the server's explanation, up to
    /// 4 KiB; null when the answer was a 101 or none was read.</summary>
    public string? ResponseBody { get; }

    /// <summary>The HTTP status the server answered (404, 403, 426, ...; 101 when the upgrade itself was
    /// wrong); null when no well-formed answer came.</summary>
    public int? StatusCode => Response?.StatusCode;
}
