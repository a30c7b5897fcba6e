using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Messages;

/// <summary>A Redis that cannot be reached at start is said in one line, and the start line does not claim
/// the rooms are shared.</summary>
public sealed class RedisAwayMessageTests
{
    [Fact]
    public async Task UnreachableRedisIsOneLogLineAndTheStartLineSaysNotYet()
    {
        int port = WsServer.Redis.Tests.TestSupport.RedisProcess.FreePort();
        (HostProcess host, _) = await HostProcess.StartServingAsync("--redis", $"127.0.0.1:{port}");
        using (host)
        {
            string rooms = await host.WaitForStdoutAsync(l => l.StartsWith("wsserver: rooms ", StringComparison.Ordinal));
            Assert.Matches($"^wsserver: rooms to be shared over Redis once it is reachable at 127\\.0\\.0\\.1:{port} as node [0-9a-f]+$", rooms);

            string away = await host.WaitForStdoutAsync(l => l.Contains("WsServer.Redis[501]", StringComparison.Ordinal));
            Assert.EndsWith($"warn: WsServer.Redis[501] Redis at 127.0.0.1:{port} is unreachable (UnableToConnect); serving local subscribers only and retrying in the background", away, StringComparison.Ordinal);
            Assert.DoesNotContain(host.Stdout, l => l.StartsWith("   at ", StringComparison.Ordinal) || l.Contains("rooms shared over Redis", StringComparison.Ordinal));
            Assert.Empty(host.Stderr);
        }
    }
}
