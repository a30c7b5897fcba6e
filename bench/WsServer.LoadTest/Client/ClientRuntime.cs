namespace WsServer.LoadTest.Client;

/// <summary>How the load generator's runtime runs its sockets.</summary>
internal static class ClientRuntime
{
    /// <summary>The runtime switch that runs socket continuations on the socket engine's own thread instead of
    /// queueing them to the thread pool. It is read once, when the first socket is used.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process; call before any socket is used. The server
    /// children do not inherit it (<see cref="Servers.ServerProcess"/> removes it): Kestrel keeps the runtime's
    /// default, WsServer gets what <see cref="LoadOptions.WsServerInlineIo"/> says.</summary>
    /// <remarks>On one core, the hop from the epoll thread to a pool worker (a context switch per completed
    /// receive) was most of the load generator's cost: in one smoke run each, turning it on took the client's CPU for upgrades from 95 %
    /// to 66 % of its core and for broadcast from 99 % to 74 %, at the same or higher rates. It is safe here
    /// because no continuation of the tool blocks while a load runs.</remarks>
    public static void UseInlineCompletions() => Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
}
