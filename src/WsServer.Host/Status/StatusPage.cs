using WsServer.Diagnostics;
using WsServer.Host.Configuration;
using WsServer.Hosting;
using WsServer.Routing;

namespace WsServer.Host.Status;

/// <summary>The status page (wwwroot/status.html, embedded: inline script and style, charts drawn on a
/// canvas) and its feed, mapped at one path: a plain GET gets the page, an upgrade gets the feed.</summary>
internal static class StatusPage
{
    /// <summary>Maps the page and the feed at <paramref name="settings"/>' path of <paramref name="options"/>;
    /// the caller starts the feed once the server serves, and disposes it. Throws <see cref="ArgumentException"/>
    /// when a route already serves that path.</summary>
    public static StatusFeed Map(ServerOptions options, StatusSettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        var access = new StatusAccess(settings);
        // Listening starts now, before the server accepts, so the count of open connections starts with it.
        var listener = new StatusListener(new StatusFigures(options.TimeProvider), meter => meter.Name == ServerMetrics.MeterName);
        var feed = new StatusFeed(access, listener, options.TimeProvider);
        try
        {
            options.Routes.Map(settings.Path, feed);
        }
        catch
        {
            feed.Dispose();
            throw;
        }
        options.Routes.MapPage(settings.Path, Html() with { Allow = (request, remote) => access.Allows(remote.Address, StatusAccess.TokenOf(request.Query)) });
        return feed;
    }

    private static StaticPage Html()
    {
        using Stream stream = typeof(StatusPage).Assembly.GetManifestResourceStream("WsServer.Host.wwwroot.status.html")
            ?? throw new InvalidOperationException("The status page is missing from the program's resources.");
        using var reader = new StreamReader(stream);
        return StaticPage.Html(reader.ReadToEnd());
    }
}
