using WsServer.Routing;

namespace WsServer.Host.BuiltInHandlers;

/// <summary>The chat's web page (wwwroot/chat.html, embedded), served at <c>/</c> to a plain GET so a
/// browser can join the chat the <c>chat</c> handler runs.</summary>
internal static class ChatPage
{
    /// <summary>The page, wired to the WebSocket path the chat handler serves.</summary>
    public static StaticPage For(string? pattern)
    {
        // A fallback route serves any path; a prefix route serves any path under its prefix.
        string path = pattern switch
        {
            null => "/chat",
            _ when pattern.EndsWith("/*", StringComparison.Ordinal) => pattern[..^1] + "lobby",
            _ => pattern,
        };
        using Stream stream = typeof(ChatPage).Assembly.GetManifestResourceStream("WsServer.Host.wwwroot.chat.html")
            ?? throw new InvalidOperationException("The chat page is missing from the program's resources.");
        using var reader = new StreamReader(stream);
        return StaticPage.Html(reader.ReadToEnd().Replace("{{WS_PATH}}", path, StringComparison.Ordinal));
    }
}
