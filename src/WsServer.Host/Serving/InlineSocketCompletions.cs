namespace WsServer.Host.Serving;

/// <summary>
/// Where .NET runs socket completions. By default its event thread hands each one to the thread pool: a
/// wake-up and a thread switch between the socket's readiness and the handler, per message (measured: the
/// largest single cost of an echo on one core). With inline completions the event thread runs the
/// connection's work itself, as uWebSockets' loop does; a handler that blocks then stalls every socket
/// on that thread, so it is the default only when every handler is built in. The runtime reads the switch
/// once, at its first socket operation, so this is set before the server exists.
/// </summary>
internal static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on or off for this process, unless <paramref name="explicitly"/>
    /// is false and the environment already says which.</summary>
    public static void Use(bool inline, bool explicitly)
    {
        if (!explicitly && Environment.GetEnvironmentVariable(Variable) is not null) return;
        Environment.SetEnvironmentVariable(Variable, inline ? "1" : "0");
    }
}
