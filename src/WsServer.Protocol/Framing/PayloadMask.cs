namespace WsServer.Protocol.Framing;

/// <summary>The XOR masking of RFC 6455 §5.3, vectorized.</summary>
public static class PayloadMask
{
    /// <summary>XORs <paramref name="payload"/> in place with the key, starting at key byte
    /// <paramref name="keyOffset"/> (0-3), and returns the key offset for the next chunk.</summary>
    public static int Apply(Span<byte> payload, uint maskingKey, int keyOffset) =>
        throw new NotImplementedException();

    /// <summary>Copies <paramref name="source"/> into <paramref name="destination"/> (at least as
    /// long) XORed with the key; returns the key offset for the next chunk.</summary>
    public static int Apply(ReadOnlySpan<byte> source, Span<byte> destination, uint maskingKey, int keyOffset) =>
        throw new NotImplementedException();

    /// <summary>A fresh key from a cryptographic random source (§5.3: "MUST be unpredictable").</summary>
    public static uint NewKey() => throw new NotImplementedException();
}
