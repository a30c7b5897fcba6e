namespace WsServer.Redis.Tests;

/// <summary>The backplane sits on the server (Host -> Redis -> WsServer -> Protocol), checked on the
/// compiled assembly; that WsServer does not reference it is WsServer.Tests' LayeringTests.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void BackplaneReferencesTheServerAndNotTheProgram()
    {
        string[] references = [.. typeof(RedisBackplane).Assembly.GetReferencedAssemblies().Select(a => a.Name!)];

        Assert.Contains("WsServer", references);
        Assert.Contains("StackExchange.Redis", references);
        Assert.DoesNotContain("WsServer.Host", references);
        Assert.DoesNotContain("WsServer.Extensions.Hosting", references);
    }
}
