using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Cli;
using WsServer.Host.Exits;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests;

/// <summary><c>--inline-io</c> / <c>--no-inline-io</c>: whether a connection's work runs on the socket
/// event thread (no thread-pool hop per message) or on the thread pool; inline by default only when
/// every handler is built in, since a plugged-in handler may block.</summary>
public sealed class InlineIoTests
{
    private static string ThreadNameHandler => $"{HostProcess.TestAssemblyPath}:WsServer.Host.Tests.TestHandlers.ThreadNameHandler";

    // A message already waiting when the loop reads is handled on whatever thread read it, so each
    // test looks at several round trips: with inline I/O the ones that waited for the socket ran on its
    // event thread; without, none ever does.
    [Fact]
    public async Task WithInlineIoTheHandlerRunsOnTheSocketEventThread()
    {
        string[] threads = await HandlerThreadsAsync("--handler", ThreadNameHandler, "--inline-io");
        Assert.Contains(threads, t => t.StartsWith("WsServer epoll ", StringComparison.Ordinal) && t.EndsWith("|1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APluggedInHandlerRunsOnTheThreadPoolByDefault()
    {
        string[] threads = await HandlerThreadsAsync("--handler", ThreadNameHandler);
        Assert.All(threads, t => Assert.Equal(".NET TP Worker|0", t));
    }

    [Fact]
    public async Task NoInlineIoKeepsTheThreadPoolForAnyHandler()
    {
        string[] threads = await HandlerThreadsAsync("--route", $"/t={ThreadNameHandler}", "--handler", "echo", "--no-inline-io");
        Assert.All(threads, t => Assert.Equal(".NET TP Worker|0", t));
    }

    [Theory]
    [InlineData(true, "--handler", "echo")]
    [InlineData(true, "--handler", "chat")]
    [InlineData(true, "--handler", "broadcast")]
    [InlineData(false, "--handler", "x.dll:X")]
    [InlineData(false, "--route", "/x=x.dll:X", "--handler", "echo")]
    [InlineData(true, "--handler", "x.dll:X", "--inline-io")]
    [InlineData(false, "--no-inline-io")]
    public void InlineIoIsTheDefaultOnlyWhenEveryHandlerIsBuiltIn(bool inline, params string[] args) =>
        Assert.Equal(inline, HostCommand.ReadSettings(args).UsesInlineIo);

    [Fact]
    public void TheTwoFlagsExcludeEachOther()
    {
        var ex = Assert.Throws<UsageException>(() => HostCommand.ReadSettings(["--inline-io", "--no-inline-io"]));
        Assert.Contains("exclude each other", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<string[]> HandlerThreadsAsync(params string[] args)
    {
        (HostProcess host, Uri uri) = await HostProcess.StartServingAsync(args);
        using (host)
        {
            string path = args.Contains("--route") ? "/t" : "/";
            using ClientWebSocket client = await BclClient.ConnectAsync(new Uri(uri, path));
            var threads = new string[10];
            for (int i = 0; i < threads.Length; i++)
            {
                await Task.Delay(20); // lets the server's read wait for the socket
                await client.SendAsync("which thread?"u8.ToArray(), WebSocketMessageType.Text);
                threads[i] = Encoding.UTF8.GetString((await client.ReceiveMessageAsync()).Data);
            }
            return threads;
        }
    }
}
