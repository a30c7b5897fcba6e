using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace WsServer.Protocol.Handshake;

/// <summary><c>Sec-WebSocket-Key</c> and <c>Sec-WebSocket-Accept</c> (RFC 6455 §1.3, §4.2.2).</summary>
public static class AcceptKey
{
    /// <summary>The GUID appended to the key before hashing.</summary>
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>The length of an accept value: base64 of a 20-byte SHA-1 digest.</summary>
    internal const int AcceptLength = 28;

    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /// <summary>base64(SHA-1(key + GUID)).</summary>
    public static string Compute(string secWebSocketKey)
    {
        ArgumentNullException.ThrowIfNull(secWebSocketKey);
        Span<char> accept = stackalloc char[AcceptLength];
        Compute(secWebSocketKey, accept);
        return new string(accept);
    }

    /// <summary>Writes base64(SHA-1(key + GUID)) into <paramref name="accept"/> (28 chars) without allocating
    /// for keys of the usual length.</summary>
    internal static void Compute(ReadOnlySpan<char> secWebSocketKey, Span<char> accept)
    {
        // §4.2.2: "concatenate this with the Globally Unique Identifier ... take the SHA-1 hash of this
        // concatenated value to obtain a 20-byte value and base64-encode (see Section 4 of [RFC4648])
        // this 20-byte hash." The key is echoed byte for byte, hence Latin-1, the head's own decoding.
        int length = secWebSocketKey.Length + Guid.Length;
        byte[]? rented = null;
        Span<byte> input = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            int keyBytes = Encoding.Latin1.GetBytes(secWebSocketKey, input);
            Encoding.ASCII.GetBytes(Guid, input[keyBytes..]);
            Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
            // SHA-1 is weak as a signature, but here it only proves the server read the key (§1.3), no secret.
            SHA1.HashData(input[..length], digest);
            Convert.TryToBase64Chars(digest, accept, out _);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>True when the key is base64 that decodes to exactly 16 bytes (§4.2.1 item 5): 22 characters
    /// of the base64 alphabet followed by <c>==</c>.</summary>
    public static bool IsValidKey([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? secWebSocketKey) =>
        secWebSocketKey is { Length: 24 }
        && secWebSocketKey.EndsWith("==", StringComparison.Ordinal)
        && !secWebSocketKey.AsSpan(0, 22).ContainsAnyExcept(Base64Alphabet);

    /// <summary>A fresh random key for a client (16 random bytes, base64).</summary>
    public static string NewKey()
    {
        // §4.1: "The nonce MUST be selected randomly for each connection."
        Span<byte> nonce = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        return Convert.ToBase64String(nonce);
    }
}
