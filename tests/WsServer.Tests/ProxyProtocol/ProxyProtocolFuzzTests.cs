using WsServer.Fuzz.Mutation;
using WsServer.Fuzz.Targets;

namespace WsServer.Tests.ProxyProtocol;

/// <summary>The proxy fuzz target's property, kept in CI (docs/fuzzing.md): no input makes the PROXY parser
/// throw or break an oracle (consumption, read independence, canonical v1 addresses, v2 fields, round trips).
/// Bounded by a count of inputs with a fixed seed, never by time.</summary>
public sealed class ProxyProtocolFuzzTests
{
    private const int Inputs = 20_000;

    [Fact]
    public void RandomInputsBreakNoOracle()
    {
        var fuzzer = new RandomFuzzer(FuzzTargets.Create("proxy")!, seed: 6455);
        FuzzReport report = fuzzer.Run(Inputs, duration: null);

        Assert.True(report.FindingInput is null,
            $"input {Convert.ToHexString(report.FindingInput ?? [])} failed: {report.FindingError}");
        Assert.Equal(Inputs, report.Executions);
    }

    /// <summary>Inputs the proxy target once failed on, each with the test that pins the fix.</summary>
    public static TheoryData<string> Findings() => new()
    {
        // ProxyProtocolParserTests.ARefusedHeaderConsumesNothing
        "1950524F585920554E4B4E4F383A3A3120323030313A6462383A3A3220312036353533350D0A",
        // ProxyProtocolParserTests.BadV2IsRefused (transport protocol 10)
        "000D0A0D0A000D0A515549540A210A000D0A515549540A2111000CCB007107C00002019C4001BB",
        // ProxyProtocolParserTests.AV1AddressNotInCanonicalFormIsRefused (255.255.255)
        "0550524F58592054435034203235352E3235352E32353520302E302E302E3020363535333520300D0A3520300D0A",
    };

    [Theory]
    [MemberData(nameof(Findings))]
    public void PastFindingsPass(string hex) => FuzzTargets.Create("proxy")!.Run(Convert.FromHexString(hex), FeatureSet.None);
}
