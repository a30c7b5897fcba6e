using WsServer.Protocol.Closing;
using WsServer.Protocol.Framing;
using WsServer.Protocol.Messages;
using WsServer.Protocol.Session;
using WsServer.Protocol.Tests.TestSupport;

namespace WsServer.Protocol.Tests.Session;

/// <summary>RFC 10.4 asks for limits; a message's frames are counted against
/// <see cref="ProtocolOptions.MaxFragmentsPerMessage"/>, so a message kept open with empty continuation frames
/// (no progress toward the size limit) ends with 1009. Assembled and streamed messages alike.</summary>
public class FragmentLimitTests
{
    private const uint Key = 0x37fa213d;

    private static byte[] Message(int frames, string first = "a")
    {
        List<FrameBuilder> built = [Frames.Text(first).NotFinal().Masked(Key)];
        for (int i = 1; i < frames - 1; i++) built.Add(Frames.Continuation("").NotFinal().Masked(Key));
        built.Add(Frames.Continuation("z").Masked(Key));
        return Frames.Concat([.. built]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AMessageOfExactlyTheLimitsFramesIsDelivered(bool streamed)
    {
        var options = new ProtocolOptions { MaxFragmentsPerMessage = 5, StreamMessages = streamed };

        List<RecordedEvent> events = SessionDriver.ReadBack(EndpointRole.Client, Message(5), options);

        RecordedEvent message = Assert.Single(events, e => e.Kind == ProtocolEventKind.Message);
        Assert.Equal(MessageKind.Text, message.MessageKind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneFrameMoreFailsWith1009(bool streamed) =>
        SessionDriver.AssertFails(EndpointRole.Server, Message(6), CloseCode.MessageTooBig,
            new ProtocolOptions { MaxFragmentsPerMessage = 5, StreamMessages = streamed });

    [Fact]
    public void TheCountStartsAgainWithEachMessageAndIgnoresControlFrames()
    {
        byte[] pings = Frames.Concat(Frames.Ping("x").Masked(Key), Frames.Ping("y").Masked(Key));
        byte[] bytes = [.. Message(5)[..^7], .. pings, .. Message(5)[^7..], .. Message(5)];

        List<RecordedEvent> events = SessionDriver.ReadBack(EndpointRole.Client, bytes, new ProtocolOptions { MaxFragmentsPerMessage = 5 });

        Assert.Equal(2, events.Count(e => e.Kind == ProtocolEventKind.Message));
        Assert.DoesNotContain(events, e => e.Kind == ProtocolEventKind.Violation);
    }
}
