using System.Net;
using WsServer.Protocol.Handshake;

namespace WsServer.Routing;

/// <summary>A page served with 200 to a plain HTTP GET (one without an upgrade) — the web page a
/// browser client is loaded from, such as the chat page of the <c>wsserver</c> program.</summary>
/// <param name="ContentType">The media type, e.g. <c>text/html; charset=utf-8</c>.</param>
/// <param name="Body">The bytes of the page.</param>
public sealed record StaticPage(string ContentType, ReadOnlyMemory<byte> Body)
{
    /// <summary>Who may load the page: called with the request and the client's address (the PROXY header's
    /// when there is one); false answers 403. Null serves everyone. Runs on the connection's thread before
    /// the page is written, so it must be quick and must not block.</summary>
    public Func<UpgradeRequest, IPEndPoint, bool>? Allow { get; init; }

    /// <summary>An HTML page from its text.</summary>
    public static StaticPage Html(string html) =>
        new("text/html; charset=utf-8", System.Text.Encoding.UTF8.GetBytes(html));
}
