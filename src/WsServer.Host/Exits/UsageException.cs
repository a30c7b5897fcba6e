namespace WsServer.Host.Exits;

/// <summary>A bad flag or a handler that cannot be loaded: the program prints the message as one line
/// and exits with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the error with its one-line message.</summary>
    public UsageException(string message) : base(message) { }

    /// <summary>Creates the error with its one-line message and the failure behind it.</summary>
    public UsageException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the error with a generic message.</summary>
    public UsageException() : base("invalid usage") { }
}
