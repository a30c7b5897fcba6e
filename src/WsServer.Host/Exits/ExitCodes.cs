namespace WsServer.Host.Exits;

/// <summary>The program's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Served and drained normally (or printed help or the version).</summary>
    public const int Success = 0;

    /// <summary>The server could not start (for example, the port is in use).</summary>
    public const int StartFailure = 1;

    /// <summary><c>wsserver connect</c>: the connection failed, was refused, or closed with an error code.</summary>
    public const int ConnectFailure = 1;

    /// <summary>A bad flag, or a handler that cannot be loaded.</summary>
    public const int Usage = 2;
}
