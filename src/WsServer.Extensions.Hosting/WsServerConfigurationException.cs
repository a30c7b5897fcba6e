namespace WsServer.Extensions.Hosting;

/// <summary>A bad value in the server's configuration section: thrown when the host starts, before
/// anything listens. <see cref="Key"/> is the configuration key, as in <c>WsServer:Port</c> or
/// <c>WsServer:Routes:/chat:MaxMessageSize</c>, and the message starts with it.</summary>
public sealed class WsServerConfigurationException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="key"/>; <paramref name="message"/> says what is wrong.</summary>
    public WsServerConfigurationException(string key, string message, Exception? innerException = null)
        : base(message, innerException) =>
        Key = key;

    /// <summary>The full configuration key of the bad value (sections joined with ':').</summary>
    public string Key { get; }
}
