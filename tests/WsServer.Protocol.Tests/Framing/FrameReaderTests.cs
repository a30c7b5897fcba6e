using System.Buffers;
using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Framing;

/// <summary>RFC 6455 §5.1, §5.2 and §5.5: what a frame header alone may break, and the §5.7
/// example headers read over every split.</summary>
public class FrameReaderTests
{
    private const uint Key = 0x37fa213d;

    private static (OperationStatus Status, FrameHeader Header, ProtocolViolation Violation, long Consumed) Read(
        FrameReader reader, ReadOnlySequence<byte> input)
    {
        var sequenceReader = new SequenceReader<byte>(input);
        OperationStatus status = reader.TryReadHeader(ref sequenceReader, out FrameHeader header, out ProtocolViolation violation);
        return (status, header, violation, sequenceReader.Consumed);
    }

    private static void AssertReads(EndpointRole role, byte[] frame, FrameHeader expected, int headerLength)
    {
        foreach (ReadOnlySequence<byte> input in SegmentedSequence.AllSplits(frame))
        {
            var result = Read(new FrameReader(role), input);
            Assert.Equal(OperationStatus.Done, result.Status);
            Assert.Equal(expected, result.Header);
            Assert.Equal(headerLength, result.Consumed);
        }
    }

    private static void AssertViolation(EndpointRole role, byte[] frame, CloseCode code, ProtocolOptions? options = null)
    {
        foreach (ReadOnlySequence<byte> input in SegmentedSequence.AllSplits(frame))
        {
            var result = Read(new FrameReader(role, (options ?? ProtocolOptions.Default).MaxMessageSize), input);
            Assert.Equal(OperationStatus.InvalidData, result.Status);
            Assert.Equal(code, result.Violation.Code);
            Assert.Equal(0, result.Consumed);
        }
    }

    [Fact]
    public void ReadsTheUnmaskedHelloExample() =>
        AssertReads(EndpointRole.Client, Hex.Parse("81 05 48 65 6c 6c 6f"), new(true, false, Opcode.Text, 5), 2);

    [Fact]
    public void ReadsTheMaskedHelloExample() =>
        AssertReads(EndpointRole.Server, Hex.Parse("81 85 37 fa 21 3d 7f 9f 4d 51 58"), new(true, false, Opcode.Text, 5, Key), 6);

    [Fact]
    public void ReadsTheFragmentedHelloExample()
    {
        AssertReads(EndpointRole.Client, Hex.Parse("01 03 48 65 6c"), new(false, false, Opcode.Text, 3), 2);
        AssertReads(EndpointRole.Client, Hex.Parse("80 02 6c 6f"), new(true, false, Opcode.Continuation, 2), 2);
    }

    [Fact]
    public void ReadsThePingAndPongExamples()
    {
        AssertReads(EndpointRole.Client, Hex.Parse("89 05 48 65 6c 6c 6f"), new(true, false, Opcode.Ping, 5), 2);
        AssertReads(EndpointRole.Server, Hex.Parse("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), new(true, false, Opcode.Pong, 5, Key), 6);
    }

    [Fact]
    public void Reads256BytesWithA16BitLength() =>
        AssertReads(EndpointRole.Client, Hex.Parse("82 7E 0100"), new(true, false, Opcode.Binary, 256), 4);

    [Fact]
    public void Reads64KiBWithA64BitLength() =>
        AssertReads(EndpointRole.Client, Hex.Parse("82 7F 0000000000010000"), new(true, false, Opcode.Binary, 65536), 10);

    [Fact]
    public void AcceptsNonMinimalLengthEncodings()
    {
        AssertReads(EndpointRole.Client, Hex.Parse("82 7E 0005"), new(true, false, Opcode.Binary, 5), 4);
        AssertReads(EndpointRole.Client, Hex.Parse("82 7F 0000000000000005"), new(true, false, Opcode.Binary, 5), 10);
    }

    [Fact]
    public void IncompleteHeaderConsumesNothing()
    {
        byte[] header = Frames.Binary(new byte[70000]).Masked(Key).Header();
        for (int length = 0; length < header.Length; length++)
        {
            foreach (ReadOnlySequence<byte> input in SegmentedSequence.AllSplits(header[..length]))
            {
                var result = Read(new FrameReader(EndpointRole.Server), input);
                Assert.Equal(OperationStatus.NeedMoreData, result.Status);
                Assert.Equal(0, result.Consumed);
            }
        }
    }

    [Theory]
    [InlineData(0x4)]
    [InlineData(0x2)]
    [InlineData(0x1)]
    public void ReservedBitWithoutExtensionFailsWithProtocolError(int bits) =>
        AssertViolation(EndpointRole.Server, Frames.Text("x").Reserved(bits).Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void Rsv1IsAcceptedWhenAnExtensionDefinesIt()
    {
        var reader = new FrameReader(EndpointRole.Server) { AllowRsv1 = true };

        var result = Read(reader, new(Frames.Text("x").Reserved(0x4).Masked(Key).ToArray()));

        Assert.Equal(OperationStatus.Done, result.Status);
        Assert.True(result.Header.Rsv1);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void ReservedOpcodeFailsWithProtocolError(int opcode) =>
        AssertViolation(EndpointRole.Server, Frames.Raw((Opcode)opcode, []).Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void UnmaskedFrameToAServerFailsWithProtocolError() =>
        AssertViolation(EndpointRole.Server, Frames.Text("Hello").ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void MaskedFrameToAClientFailsWithProtocolError() =>
        AssertViolation(EndpointRole.Client, Frames.Text("Hello").Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void ControlFrameOver125BytesFailsWithProtocolError() =>
        AssertViolation(EndpointRole.Server, Frames.Raw(Opcode.Ping, new byte[126]).Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void ControlFrameWithANonMinimalLengthEncodingIsAccepted() =>
        AssertReads(EndpointRole.Client, Frames.Ping("x").LengthIn(2).ToArray()[..4], new(true, false, Opcode.Ping, 1), 4);

    [Fact]
    public void FragmentedControlFrameFailsBeforeItsLengthArrives() =>
        AssertViolation(EndpointRole.Server, Hex.Parse("09 81"), CloseCode.ProtocolError);

    [Fact]
    public void FragmentedControlFrameFailsWithProtocolError() =>
        AssertViolation(EndpointRole.Server, Frames.Ping("x").NotFinal().Masked(Key).ToArray(), CloseCode.ProtocolError);

    [Fact]
    public void LengthWithMostSignificantBitSetFailsWithProtocolError() =>
        AssertViolation(EndpointRole.Client, Hex.Parse("82 7F 8000000000000000"), CloseCode.ProtocolError);

    [Fact]
    public void DataFrameOverTheMessageSizeFailsWithMessageTooBig() =>
        AssertViolation(EndpointRole.Client, Hex.Parse("82 7E 0101"), CloseCode.MessageTooBig,
            new ProtocolOptions { MaxMessageSize = 256 });

    [Fact]
    public void DataFrameOfExactlyTheMessageSizeIsAccepted()
    {
        var reader = new FrameReader(EndpointRole.Client, 256);

        var result = Read(reader, new(Hex.Parse("82 7E 0100")));

        Assert.Equal(OperationStatus.Done, result.Status);
    }

    [Fact]
    public void SessionsWithTheSameSettingsShareOneReaderAndOthersGetTheirOwn()
    {
        FrameReader reader = FrameReader.Shared(EndpointRole.Server, 4096, allowRsv1: false);

        Assert.Same(reader, FrameReader.Shared(EndpointRole.Server, 4096, allowRsv1: false));
        FrameReader[] others =
        [
            FrameReader.Shared(EndpointRole.Client, 4096, allowRsv1: false),
            FrameReader.Shared(EndpointRole.Server, 8192, allowRsv1: false),
            FrameReader.Shared(EndpointRole.Server, 4096, allowRsv1: true),
        ];
        Assert.All(others, other => Assert.NotSame(reader, other));
        Assert.Equal((EndpointRole.Client, false), (others[0].Role, others[0].AllowRsv1));
        Assert.True(others[2].AllowRsv1);
        // The shared reader keeps its own limit: 4096 bytes pass, one more fails.
        Assert.Equal(OperationStatus.Done, Read(reader, new(Frames.Binary(new byte[4096]).Masked(Key).ToArray())).Status);
        Assert.Equal(OperationStatus.InvalidData, Read(reader, new(Frames.Binary(new byte[4097]).Masked(Key).ToArray())).Status);
    }
}
