using System.CommandLine;
using System.Net;
using WsServer.Host.Cli;
using WsServer.Host.Configuration;
using WsServer.Host.Tests.TestSupport;
using WsServer.Protocol.Compression;

namespace WsServer.Host.Tests.Limits;

/// <summary>Every flag has its config-file key: a setting that can be given on the command line can be
/// written in the file.</summary>
public sealed class ConfigKeyTests
{
    [Fact]
    public void EveryFlagButConfigHasAKeyTheFileAccepts()
    {
        foreach (Option option in new HostOptions().All)
        {
            string? key = HostOptions.ConfigKey(option);
            if (option.Name == "--config") Assert.Null(key);
            else Assert.True(key is not null && SettingsReader.Keys.Contains(key, StringComparer.OrdinalIgnoreCase), $"{option.Name} has no config key ({key})");
        }
    }

    [Theory]
    [InlineData("""{ "compression": false }""", false)]
    [InlineData("""{ "compression": true }""", true)]
    public void CompressionIsAKey(string json, bool enabled) =>
        Assert.Equal(enabled ? PerMessageDeflateOptions.Default : PerMessageDeflateOptions.Disabled, Settings.FromConfig(json).Compression);

    [Fact]
    public void NoCompressionWinsOverTheKey() =>
        Assert.Equal(PerMessageDeflateOptions.Disabled, Settings.FromConfig("""{ "compression": true }""", "--no-compression").Compression);

    [Fact]
    public void CompressionWinsOverTheKey() =>
        Assert.Equal(PerMessageDeflateOptions.Default, Settings.FromConfig("""{ "compression": false }""", "--compression").Compression);

    [Fact]
    public void TheOtherKeysReachTheOptions()
    {
        var options = Settings.FromConfig("""{ "port": 9001, "address": "127.0.0.1", "proxyProtocol": true, "handler": "chat" }""");

        Assert.Equal(9001, options.Port);
        Assert.Equal(IPAddress.Loopback, options.Address);
        Assert.True(options.ProxyProtocol);
    }

    [Fact]
    public void ThePortAndAddressFlagsReachTheOptions()
    {
        var options = Settings.Options("--port", "9002", "--address", "::1", "--proxy-protocol");

        Assert.Equal(9002, options.Port);
        Assert.Equal(IPAddress.IPv6Loopback, options.Address);
        Assert.True(options.ProxyProtocol);
    }
}
