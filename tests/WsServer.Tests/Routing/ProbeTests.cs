using System.Net;
using WsServer.Hosting;
using WsServer.PubSub;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Routing;

/// <summary>The liveness and readiness probes on the WebSocket port: a plain GET of each path, answered 200 while
/// all is well; readiness 503 with Retry-After while the backplane is away; none unless asked for.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task EachProbeAnswersAPlainGetWith200AndAWord()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o =>
        {
            o.HealthPath = "/healthz";
            o.ReadinessPath = "/readyz";
        });

        (HttpStatusCode status, string body) = await GetAsync(server, "/healthz");
        Assert.Equal((HttpStatusCode.OK, "ok"), (status, body));
        Assert.Equal((HttpStatusCode.OK, "ready"), await GetAsync(server, "/readyz"));
    }

    [Fact]
    public async Task WithoutProbesTheirPathsAreOrdinaryPaths()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/chat", new EchoHandler()));

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(server, "/healthz")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(server, "/readyz")).Status);
    }

    [Fact]
    public async Task ReadinessIs503WhileTheBackplaneIsAwayAndReadyAgainWhenItIsBack()
    {
        var backplane = new SwitchableBackplane();
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.ReadinessPath = "/ready");
        server.Server.AttachBackplane(backplane);

        backplane.Available = false;
        using var http = new HttpClient();
        HttpResponseMessage away = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}/ready"), Timeouts.Token());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, away.StatusCode);
        Assert.Equal("backplane unavailable", await away.Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(5), away.Headers.RetryAfter!.Delta);

        backplane.Available = true;
        Assert.Equal((HttpStatusCode.OK, "ready"), await GetAsync(server, "/ready"));
    }

    [Theory]
    [InlineData("healthz")]
    [InlineData("/a b")]
    [InlineData("/q?x=1")]
    [InlineData("")]
    public void APathThatIsNoPathIsRefusedAtConstruction(string path)
    {
        var options = new ServerOptions { HealthPath = path }.UseHandler(new EchoHandler());
        Assert.Equal("HealthPath", Assert.Throws<ArgumentException>(() => new WebSocketServer(options)).ParamName);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(TestServer server, string path)
    {
        using var http = new HttpClient();
        HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Port}{path}"), Timeouts.Token());
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private sealed class SwitchableBackplane : ITopicBackplane
    {
        public volatile bool Available = true;

        public bool IsAvailable => Available;

        public Task TopicOpened(string topic) => Task.CompletedTask;

        public void TopicClosed(string topic)
        {
        }

        public void Relay(string topic, PreparedMessage message)
        {
        }
    }
}
