using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using WsServer.Hosting;
using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Hosting;

/// <summary>The cap on accepted sockets derived from the file descriptor limit (RLIMIT_NOFILE): the
/// arithmetic, the reading of <c>/proc/self/limits</c>, and the accept loop pausing at the cap and
/// resuming by itself. The process under a real <c>prlimit</c> is tested in WsServer.Host.Tests.</summary>
public sealed class DescriptorCapTests
{
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            256                  4096                 files
        Max locked memory         8388608              8388608              bytes
        """;

    [Fact]
    public void TheSoftLimitIsReadFromProcSelfLimits() => Assert.Equal(256, DescriptorLimit.ParseSoftLimit(Limits));

    [Theory]
    [InlineData("Max open files            unlimited            unlimited            files")]
    [InlineData("Max processes             100                  100                  processes")]
    [InlineData("")]
    public void NoLimitIsNoCap(string limits) => Assert.Null(DescriptorLimit.ParseSoftLimit(limits));

    [Theory]
    // 64 descriptors of headroom up to a limit of 512, then an eighth.
    [InlineData(256, 92, 100)]
    [InlineData(1024, 92, 804)]
    [InlineData(1_048_576, 100, 917_404)]
    // Never below one: a server that accepts nothing would look hung.
    [InlineData(128, 92, 1)]
    public void TheCapLeavesHeadroomBesideWhatIsOpen(long limit, int open, int cap) =>
        Assert.Equal(cap, DescriptorLimit.SocketCap(limit, open));

    [Fact]
    public void OnLinuxTheCapIsBelowTheProcesssLimit()
    {
        if (!OperatingSystem.IsLinux()) return;
        long limit = DescriptorLimit.ParseSoftLimit(File.ReadAllText("/proc/self/limits")) ?? long.MaxValue;

        int? cap = DescriptorLimit.SocketCap();

        Assert.True(limit == long.MaxValue ? cap is null : cap < limit - 64, $"cap {cap} for a limit of {limit}");
    }

    [Fact]
    public async Task AtTheCapTheServerStopsAcceptingLogsItOnceAndResumesWhenAConnectionCloses()
    {
        var log = new CapturingLogger();
        var handler = new RecordingHandler();
        var options = new ServerOptions { Port = 0, Workers = 1024, DescriptorCap = () => 2 }.UseHandler(handler);
        await using var server = new WebSocketServer(options, log);
        await server.StartAsync();
        var uri = new Uri($"ws://127.0.0.1:{server.LocalEndPoints[0].Port}/");
        using var first = new ClientWebSocket();
        await first.ConnectAsync(uri, Timeouts.Token());
        using var second = new ClientWebSocket();
        await second.ConnectAsync(uri, Timeouts.Token());

        // The third waits in the backlog: the server does not accept it while two sockets are open.
        using var third = new ClientWebSocket();
        Task connecting = third.ConnectAsync(uri, Timeouts.Token());
        Assert.True(await Timeouts.Eventually(() => log.WithId(30).Any()));
        Assert.False(connecting.IsCompleted);
        Assert.Equal(2, server.ConnectionCount);

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, null, Timeouts.Token());
        await connecting.Bounded();
        await third.SendTextAsync("served");
        Assert.Equal("served", await third.ReceiveTextAsync());

        (LogLevel level, _, string message) = Assert.Single(log.WithId(30));
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("2", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCapIsLoggedAtStartWhenItIsBelowTheWorkers()
    {
        var log = new CapturingLogger();
        var options = new ServerOptions { Port = 0, Workers = 1024, DescriptorCap = () => 100 }.UseHandler(new EchoHandler());
        await using var server = new WebSocketServer(options, log);
        await server.StartAsync();

        Assert.Contains("100", Assert.Single(log.WithId(31)).Message, StringComparison.Ordinal);
    }
}
