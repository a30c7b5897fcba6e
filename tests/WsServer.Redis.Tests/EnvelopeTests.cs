using System.Text;

namespace WsServer.Redis.Tests;

/// <summary>The envelope of a relayed message reads back as written, and foreign bytes are refused.</summary>
public sealed class EnvelopeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnEnvelopeReadsBackAsWritten(bool toTopic)
    {
        EnvelopeTarget target = toTopic ? EnvelopeTarget.Topic : EnvelopeTarget.Connection;
        bool isText = toTopic;
        var written = new Envelope(target, isText, 638_000_000_000_000_000, "nödé", target == EnvelopeTarget.Topic ? "rööm" : null,
            target == EnvelopeTarget.Connection ? long.MaxValue : 0, Encoding.UTF8.GetBytes("payload"));

        Assert.True(Envelope.TryRead(written.ToBytes(), out Envelope read));

        Assert.Equal((written.Target, written.IsText, written.PublishedAtTicks, written.Origin, written.Topic, written.ConnectionId),
            (read.Target, read.IsText, read.PublishedAtTicks, read.Origin, read.Topic, read.ConnectionId));
        Assert.Equal("payload", Encoding.UTF8.GetString(read.Payload.Span));
    }

    [Fact]
    public void EveryTruncationOfAnEnvelopeIsRefused()
    {
        byte[] bytes = new Envelope(EnvelopeTarget.Topic, true, 1, "a", "room", 0, ReadOnlyMemory<byte>.Empty).ToBytes();

        for (int length = 0; length < bytes.Length; length++)
            Assert.False(Envelope.TryRead(bytes.AsMemory(0, length), out _), $"{length} bytes read as an envelope");
        Assert.False(Envelope.TryRead(Encoding.UTF8.GetBytes("hello from another program"), out _));
    }
}
