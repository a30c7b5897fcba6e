namespace WsServer.LoadTest.Servers;

/// <summary>The routes both server children serve for the flood scenario.</summary>
internal static class FloodRoutes
{
    /// <summary>A handler that takes <see cref="SlowDelay"/> per message and replies nothing.</summary>
    public const string Slow = "/slow";

    /// <summary>The server sends <see cref="FirehosePayload"/> messages, one awaited send after another,
    /// from the moment the connection opens until a send throws.</summary>
    public const string Firehose = "/firehose";

    /// <summary>A streaming echo (<c>WebSocketRouteOptions.StreamMessages</c>): each message is sent back as it arrives.</summary>
    public const string StreamEcho = "/stream-echo";

    public static readonly TimeSpan SlowDelay = TimeSpan.FromMilliseconds(1);

    private static long _slowMessages;
    private static long _firehoseBytes;

    /// <summary>Messages the slow handler has finished, in this child.</summary>
    public static long SlowMessages => Volatile.Read(ref _slowMessages);

    /// <summary>Payload bytes the firehose's sends have accepted (queued, or written), in this child.</summary>
    public static long FirehoseBytes => Volatile.Read(ref _firehoseBytes);

    public static void SlowMessageDone() => Interlocked.Increment(ref _slowMessages);

    public static void FirehoseSent() => Interlocked.Add(ref _firehoseBytes, FirehosePayload.Length);

    /// <summary>16 KiB of random bytes, sent as a binary message.</summary>
    public static readonly ReadOnlyMemory<byte> FirehosePayload = RandomBytes(16 * 1024);

    private static byte[] RandomBytes(int length)
    {
        byte[] bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
