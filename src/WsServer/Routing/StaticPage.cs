namespace WsServer.Routing;

/// <summary>A page served with 200 to a plain HTTP GET (one without an upgrade) — the web page a
/// browser client is loaded from, such as the chat page of the <c>wsserver</c> program.</summary>
/// <param name="ContentType">The media type, e.g. <c>text/html; charset=utf-8</c>.</param>
/// <param name="Body">The bytes of the page.</param>
public sealed record StaticPage(string ContentType, ReadOnlyMemory<byte> Body)
{
    /// <summary>An HTML page from its text.</summary>
    public static StaticPage Html(string html) =>
        new("text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(html));
}
