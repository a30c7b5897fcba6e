namespace WsServer.Fuzz.Targets;

/// <summary>One fuzz target: a codec entry point driven by arbitrary bytes.</summary>
/// <remarks>Peer errors are values in this codec (a <c>ProtocolViolation</c>, a <c>HandshakeRejection</c>),
/// so no input may make <see cref="Run"/> throw: any exception is a finding, and so is a broken oracle
/// (<see cref="OracleException"/>) or a loop that stops making progress (<see cref="HangException"/>).</remarks>
public interface IFuzzTarget
{
    /// <summary>The name on the command line: frame, handshake, session or proxy.</summary>
    string Name { get; }

    /// <summary>The built-in seed corpus (first byte: the chunk plan, see <see cref="ChunkPlan"/>).</summary>
    IReadOnlyList<byte[]> Seeds { get; }

    /// <summary>Byte strings the mutator splices in: header bytes, HTTP tokens.</summary>
    IReadOnlyList<byte[]> Dictionary { get; }

    /// <summary>Runs one input, reporting what it exercised to <paramref name="features"/>.</summary>
    void Run(ReadOnlySpan<byte> input, FeatureSet features);
}

/// <summary>An oracle found the codec disagreeing with itself (a round trip, a split, a contract).</summary>
public sealed class OracleException(string message) : Exception(message);

/// <summary>A drive loop kept calling the codec without progress.</summary>
public sealed class HangException(string message) : Exception(message);
