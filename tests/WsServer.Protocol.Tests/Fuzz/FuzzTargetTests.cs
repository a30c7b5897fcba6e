using WsServer.Fuzz.Mutation;
using WsServer.Fuzz.Targets;

namespace WsServer.Protocol.Tests.Fuzz;

/// <summary>The fuzz targets' property, kept in CI: no input raises anything (a peer's error is a
/// value: a protocol violation or a handshake rejection) and every oracle of the targets holds
/// (round trips, split independence, replies the peer can read). Bounded by a count of inputs with a
/// fixed seed, never by time, so a run is the same on every machine. See docs/fuzzing.md.</summary>
public class FuzzTargetTests
{
    private const int Inputs = 20_000;

    [Theory]
    [InlineData("frame")]
    [InlineData("handshake")]
    [InlineData("session")]
    public void RandomInputsRaiseNothingButProtocolErrors(string name)
    {
        var fuzzer = new RandomFuzzer(FuzzTargets.Create(name)!, seed: 6455);
        FuzzReport report = fuzzer.Run(Inputs, duration: null);

        Assert.True(report.FindingInput is null,
            $"input {Convert.ToHexString(report.FindingInput ?? [])} failed: {report.FindingError}");
        Assert.Equal(Inputs, report.Executions);
    }

    /// <summary>Inputs the fuzzers once failed on, each with the test that pins the fix.</summary>
    public static TheoryData<string, string> Findings() => new()
    {
        // HandshakeLimitsTests.AnOverlongLineEndingInABareLineFeedIs414WhetherItsEndHasArrivedOrNot
        { "handshake", "F8506F6E733A207065726D657373616765653B20636C00006E745F6D5365632D5700000000616765653B20636C00006E745F6D5365632D5700000000000001012D56657273696F6E3220313A20313361785F776920485454502F312E306E646F775F626974732C20782D7765626B69743B20613D2231220D3CD2980A0D0A818537FA213D7F9F4D5158" },
        // ProtocolSessionReadingTests.AFrameOverTheLimitFailsAtItsHeaderEvenWhenSmallFramesAreReadWhole
        { "frame", "BC82FE012C37FA213E37FA213E37FA213E0ED48D37FA213E37FA213E37FA213E37FA213E37FA000037FA213E37FA213E213E37FA213E37FA213E37FA213E37FA213E37FA213E37FA213E37FA213E37FA213E37FA213E37FA213E37FA213E37FA203E37FA213E37FA213E37FA213E37FA213E37FA2112433D52" },
    };

    [Theory]
    [MemberData(nameof(Findings))]
    public void PastFindingsPass(string name, string hex) =>
        FuzzTargets.Create(name)!.Run(Convert.FromHexString(hex), FeatureSet.None);
}
