using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;

namespace WsServer.Protocol.Session;

/// <summary>Limits and negotiated features of one session.</summary>
public sealed record ProtocolOptions
{
    /// <summary>The default <see cref="MaxMessageSize"/>: 1 MiB.</summary>
    public const long DefaultMaxMessageSize = FrameReader.DefaultMaxFrameSize;

    /// <summary>The largest message accepted, in bytes, inclusive; a larger one fails with 1009
    /// as soon as its size is known (frame header), before its payload is read. The size counts the
    /// payloads of all the fragments of a message. Values above <see cref="Array.MaxLength"/> act as
    /// <see cref="Array.MaxLength"/>, since a message is delivered in one buffer, unless messages are
    /// streamed (<see cref="StreamMessages"/>).</summary>
    public long MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>The default <see cref="MaxFragmentsPerMessage"/>: 1,048,576, a 16 MiB message in 16-byte frames.</summary>
    public const int DefaultMaxFragmentsPerMessage = 1 << 20;

    /// <summary>The most frames one data message may come in; the next fails the connection with 1009 ("message has
    /// too many fragments"). Without it a peer could keep a message open for ever with empty continuation frames,
    /// which make no progress toward <see cref="MaxMessageSize"/>.</summary>
    public int MaxFragmentsPerMessage { get; init; } = DefaultMaxFragmentsPerMessage;

    /// <summary>Read data messages in parts as they arrive instead of whole: each part (at most 64 KiB, inflated
    /// when compressed) is a <see cref="ProtocolEventKind.MessagePart"/> event, the last one a
    /// <see cref="ProtocolEventKind.Message"/>. Nothing is assembled, so <see cref="MaxMessageSize"/> may be
    /// larger than memory (and than <see cref="Array.MaxLength"/>); text is still validated as it arrives, and
    /// fails with 1007 at the first invalid byte. While a part is full the session reads no further input.</summary>
    public bool StreamMessages { get; init; }

    /// <summary>The agreed permessage-deflate parameters (RFC 7692); null when it was not negotiated,
    /// and then a frame with RSV1 set fails with 1002.</summary>
    public DeflateParameters? Deflate { get; init; }

    /// <summary>How this side compresses when <see cref="Deflate"/> is set: level, memory level and the
    /// size under which messages are sent uncompressed.</summary>
    public PerMessageDeflateOptions Compression { get; init; } = PerMessageDeflateOptions.Default;

    /// <summary>Hand out a message that arrives whole (one frame) in one contiguous piece of the input where it lies,
    /// unmasked there, instead of copying it into a buffer of the session's: the input must be writable memory
    /// the caller owns, and the event's payload is then valid until the caller lets go of that input as well as
    /// until the next call. Off by default, so that input is only read.</summary>
    public bool ReadMessagesInPlace { get; init; }

    /// <summary>A message in one frame of at most this many payload bytes that has arrived only in part is left
    /// unread, its header too, until the input holds the rest; it is then read at once (in place, with
    /// <see cref="ReadMessagesInPlace"/>, where the input holds it in one piece) instead of being copied into a buffer
    /// of the session's as it arrives. The caller must keep what is left unread and read on after it, so its input
    /// must be able to hold this many bytes and a header. A text frame whose bytes so far are not UTF-8 is read at
    /// once, so it fails as soon as they arrive. 0, the default, reads every frame as it arrives.</summary>
    public int ReadWholeFramesUpTo { get; init; }

    /// <summary>The defaults.</summary>
    public static ProtocolOptions Default { get; } = new();
}
