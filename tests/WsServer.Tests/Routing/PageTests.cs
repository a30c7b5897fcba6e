using System.Net;
using System.Net.WebSockets;
using WsServer.Routing;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Routing;

/// <summary>A page mapped on a path answers plain GETs with 200; upgrades of the same path still reach
/// their handler, and other plain requests still get 426 or 404.</summary>
public sealed class PageTests
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/status", true)]
    [InlineData("/a/b-c_d.e~", true)]
    [InlineData("", false)]
    [InlineData("status", false)]
    [InlineData("/a b", false)]
    [InlineData("/a?b=1", false)]
    [InlineData("/\u00e9t\u00e9", false)]
    [InlineData("/tab\t", false)]
    public void APageOrProbePathStartsWithASlashAndHoldsVisibleAsciiWithoutAQuery(string path, bool servable)
    {
        Assert.Equal(servable, RouteTable.IsPagePath(path));
        var routes = new RouteTable();
        if (servable) routes.MapPage(path, StaticPage.Html("x"));
        else Assert.Throws<ArgumentException>(() => routes.MapPage(path, StaticPage.Html("x")));
    }

    [Fact]
    public async Task PlainGetGetsThePageAndAnUpgradeOfTheSamePathGetsTheHandler()
    {
        await using TestServer server = await TestServer.StartAsync(o =>
            o.Routes.Map("/", new EchoHandler()).MapPage("/", StaticPage.Html("<p>hello page</p>")));
        using var http = new HttpClient();

        HttpResponseMessage page = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/"), Timeouts.Token());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Equal("<p>hello page</p>", await page.Content.ReadAsStringAsync());

        using ClientWebSocket client = await server.ConnectAsync("/");
        await client.SendTextAsync("still a websocket");
        Assert.Equal("still a websocket", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task PlainGetOfAnUnmappedPageStillGets426Or404()
    {
        await using TestServer server = await TestServer.StartAsync(o =>
            o.Routes.Map("/ws", new EchoHandler()).MapPage("/", StaticPage.Html("x")));
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.UpgradeRequired,
            (await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/ws"), Timeouts.Token())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/other"), Timeouts.Token())).StatusCode);
    }

    [Fact]
    public async Task APageThatRefusesAViewerAnswers403AndSeesTheQueryAndTheAddress()
    {
        List<(string Query, IPAddress Address)> asked = [];
        StaticPage page = StaticPage.Html("<p>secret</p>") with
        {
            Allow = (request, remote) =>
            {
                lock (asked) asked.Add((request.Query, remote.Address));
                return request.Query == "key=1";
            },
        };
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/ws", new EchoHandler()).MapPage("/", page));
        using var http = new HttpClient();

        HttpResponseMessage refused = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/?key=2"), Timeouts.Token());
        HttpResponseMessage served = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/?key=1"), Timeouts.Token());

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("secret", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal([("key=2", IPAddress.Loopback), ("key=1", IPAddress.Loopback)], asked);
    }
}
