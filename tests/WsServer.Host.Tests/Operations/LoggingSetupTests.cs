using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using WsServer.Host.Serving;

namespace WsServer.Host.Tests.Operations;

/// <summary>The program's logging: single-line console lines, and scopes captured only if they are printed (a
/// captured scope is some 120 bytes on every connection).</summary>
public sealed class LoggingSetupTests
{
    [Fact]
    public void ScopesAreCapturedOnlyWhenTheConsolePrintsThem()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => HostedServer.ConfigureLogging(logging, LogLevel.Information));
        using ServiceProvider provider = services.BuildServiceProvider();

        SimpleConsoleFormatterOptions console = provider.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
        LoggerFilterOptions filters = provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value;

        Assert.True(console.SingleLine);
        Assert.False(console.IncludeScopes);
        Assert.Equal(console.IncludeScopes, filters.CaptureScopes);
    }
}
