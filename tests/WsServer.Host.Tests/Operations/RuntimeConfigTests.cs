using System.Text.Json;
using WsServer.Host.Tests.TestSupport;

namespace WsServer.Host.Tests.Operations;

/// <summary>What the program's runtimeconfig asks of the runtime for many connections: tier-up without waiting, and a
/// small young generation in small regions, so the GC keeps little free memory committed beside long-lived
/// connections (docs/performance.md says why, with the figures).</summary>
public sealed class RuntimeConfigTests
{
    private const long OneMebibyte = 1024 * 1024;

    [Theory]
    [InlineData("System.Runtime.TieredCompilation.CallCountingDelayMs", 0)]
    [InlineData("System.GC.Gen0MaxBudget", OneMebibyte)]
    [InlineData("System.GC.RegionSize", OneMebibyte)]
    public void TheProgramRunsWith(string setting, long value)
    {
        string path = Path.ChangeExtension(HostProcess.ProgramPath, ".runtimeconfig.json");
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.TryGetProperty(setting, out JsonElement given), $"{path} does not set {setting}.");
        Assert.Equal(value, given.GetInt64());
    }
}
