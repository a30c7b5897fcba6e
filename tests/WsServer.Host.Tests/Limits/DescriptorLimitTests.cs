using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Limits;

/// <summary>Running out of file descriptors does not kill the program: under <c>prlimit --nofile=256</c>,
/// 300 connections make it stop accepting below the limit (they wait in the backlog), say so once, and
/// serve again once they close. Before, the runtime aborted the process ("Out of memory.", SIGABRT).</summary>
public sealed class DescriptorLimitTests
{
    private const int Limit = 256;
    private const int Attempts = 300;

    private static string Prlimit()
    {
        string? found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, "prlimit")).FirstOrDefault(File.Exists);
        Assert.True(found is not null, "prlimit is not installed: it comes with util-linux (apt-get install util-linux).");
        return found;
    }

    private static readonly byte[] Upgrade = PlainHttp.UpgradeRequest();

    [Fact]
    public async Task AtTheDescriptorLimitTheProgramStopsAcceptingStaysAliveAndServesAgainOnceConnectionsClose()
    {
        if (!OperatingSystem.IsLinux()) return;
        string prlimit = Prlimit();
        (HostProcess host, Uri uri) = await HostProcess.StartServingUnderAsync([prlimit, $"--nofile={Limit}"], "--log-level", "Warning");
        using (host)
        {
            var clients = new List<TcpClient>();
            try
            {
                // More connections than descriptors, each with its upgrade request: the ones beyond the cap
                // wait in the listen backlog, where the kernel holds them without a descriptor of ours.
                for (int i = 0; i < Attempts; i++)
                {
                    var tcp = new TcpClient { NoDelay = true };
                    clients.Add(tcp);
                    await tcp.ConnectAsync(uri.Host, uri.Port).WaitAsync(HostProcess.Timeout);
                    await tcp.GetStream().WriteAsync(Upgrade).AsTask().WaitAsync(HostProcess.Timeout);
                }
                string paused = await host.WaitForStdoutAsync(l => l.Contains("WsServer[30]", StringComparison.Ordinal));
                Assert.Contains("Accepting paused at ", paused, StringComparison.Ordinal);

                // The first connection was served (its 101), and the process is alive with all of them open.
                Assert.StartsWith("HTTP/1.1 101 ", await StatusLineAsync(clients[0]), StringComparison.Ordinal);
                Assert.False(host.HasExited, $"The program died. Stderr:\n{string.Join('\n', host.Stderr)}");
            }
            finally
            {
                foreach (TcpClient tcp in clients) tcp.Dispose();
            }

            // Once they are gone, the program accepts again by itself: a new connection is served.
            using ClientWebSocket client = await BclClient.ConnectAsync(uri);
            await client.SendAsync("still serving"u8.ToArray(), WebSocketMessageType.Text);
            Assert.Equal("still serving", Encoding.UTF8.GetString((await client.ReceiveMessageAsync()).Data));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure);

            Assert.False(host.HasExited);
            Assert.Single(host.Stdout, l => l.Contains("WsServer[30]", StringComparison.Ordinal));
            Assert.DoesNotContain(host.Stdout.Concat(host.Stderr), l => l.Contains("Out of memory", StringComparison.Ordinal));
        }
    }

    private static async Task<string> StatusLineAsync(TcpClient tcp)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count == 0 || line[^1] != '\n')
        {
            if (await tcp.GetStream().ReadAsync(one).AsTask().WaitAsync(HostProcess.Timeout) == 0) break;
            line.Add(one[0]);
        }
        return Encoding.ASCII.GetString([.. line]);
    }
}
