using System.Buffers;
using WsServer.Protocol.Handshake;
using WsServer.Routing;

namespace WsServer.Connections;

internal sealed partial class ConnectionLoop
{
    /// <summary>Answers a plain GET (no upgrade) of a mapped page with the page; true when it did.</summary>
    private async ValueTask<bool> TryServePageAsync(Stream stream, UpgradeRequest request)
    {
        if (request.Method != "GET" || request.Headers["Upgrade"] is not null) return false;
        if (_server.Options.Routes.MatchPage(request.Path) is not StaticPage page) return false;

        var response = new ArrayBufferWriter<byte>(page.Body.Length + 160);
        ServerHandshake.WritePage(response, page.ContentType, page.Body.Span);
        await stream.WriteAsync(response.WrittenMemory).ConfigureAwait(false);
        await ShutdownSendAsync().ConfigureAwait(false);
        return true;
    }
}
