using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WsServer.Transport;

/// <summary>
/// The PROXY protocol (HAProxy, versions 1 and 2), sans-IO: a header is parsed from the bytes at the
/// start of a connection. v1 is one text line, at most 107 bytes with its CRLF
/// (<c>PROXY TCP4 192.0.2.1 192.0.2.2 56324 443\r\n</c>); v2 is a 12-byte signature, a version and
/// command byte, a family byte, a 16-bit length, then the addresses and optional TLVs (skipped).
/// Any prefix that cannot start a header is refused at once, so a client that sends none is dropped
/// without waiting for the timeout.
/// </summary>
internal static class ProxyProtocolParser
{
    /// <summary>v1's longest line (§2.1: "a receiver must read up to 107 bytes").</summary>
    public const int MaxV1Length = 107;

    /// <summary>The largest v2 header accepted: the 16 fixed bytes and up to 4 KiB of addresses and TLVs.</summary>
    public const int MaxV2Length = 16 + 4096;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Done: <paramref name="consumed"/> bytes formed a header. NeedMoreData: a valid prefix so far.
    /// InvalidData: not a PROXY header. Only Done sets <paramref name="header"/> and <paramref name="consumed"/>
    /// (otherwise default and 0).</summary>
    public static OperationStatus TryParse(ReadOnlySpan<byte> input, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        if (StartsLike(input, V2Signature)) return input.Length < 16 ? OperationStatus.NeedMoreData : TryParseV2(input, out header, out consumed);
        if (StartsLike(input, V1Prefix)) return input.Length < V1Prefix.Length ? OperationStatus.NeedMoreData : TryParseV1(input, out header, out consumed);
        return OperationStatus.InvalidData;
    }

    /// <summary>True when <paramref name="input"/> and <paramref name="expected"/> agree on their common length.</summary>
    private static bool StartsLike(ReadOnlySpan<byte> input, ReadOnlySpan<byte> expected)
    {
        int length = Math.Min(input.Length, expected.Length);
        return input[..length].SequenceEqual(expected[..length]);
    }

    private static OperationStatus TryParseV1(ReadOnlySpan<byte> input, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        int end = input[..Math.Min(input.Length, MaxV1Length)].IndexOf("\r\n"u8);
        if (end < 0) return input.Length >= MaxV1Length ? OperationStatus.InvalidData : OperationStatus.NeedMoreData;
        string[] fields = Encoding.ASCII.GetString(input[..end]).Split(' ');
        // "PROXY UNKNOWN" may be followed by anything; the receiver ignores it and uses the real addresses.
        if (fields.Length >= 2 && fields[1] == "UNKNOWN") return Done(default, end + 2, out header, out consumed);
        if (fields.Length != 6) return OperationStatus.InvalidData;
        AddressFamily family = fields[1] switch
        {
            "TCP4" => AddressFamily.InterNetwork,
            "TCP6" => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unknown,
        };
        if (family == AddressFamily.Unknown
            || !TryAddress(fields[2], family, out IPAddress? source) || !TryAddress(fields[3], family, out IPAddress? destination)
            || !TryPort(fields[4], out int sourcePort) || !TryPort(fields[5], out int destinationPort))
            return OperationStatus.InvalidData;
        return Done(new ProxyHeader(new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort)),
            end + 2, out header, out consumed);
    }

    private static OperationStatus TryParseV2(ReadOnlySpan<byte> input, out ProxyHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        int version = input[12] >> 4, command = input[12] & 0x0F, family = input[13] >> 4, transport = input[13] & 0x0F;
        int length = 16 + BinaryPrimitives.ReadUInt16BigEndian(input[14..]);
        // §2.2: version "must always be sent as \x2 and the receiver must only accept this value"; for the
        // command, family and transport protocol (UNSPEC, STREAM, DGRAM), "other values are unspecified and
        // must not be emitted in version 2 of this protocol and must be rejected as invalid by receivers".
        // (An unknown family is refused below, once the addresses are read.)
        if (version != 2 || command > 1 || transport > 2 || length > MaxV2Length) return OperationStatus.InvalidData;
        if (input.Length < length) return OperationStatus.NeedMoreData;
        ReadOnlySpan<byte> addresses = input[16..length];
        // LOCAL (0): the proxy's own connection, such as a health check; UNSPEC and UNIX carry no IP address.
        if (command == 0 || family is 0 or 3) return Done(default, length, out header, out consumed);
        int size = family switch { 1 => 4, 2 => 16, _ => -1 };
        if (size < 0 || addresses.Length < 2 * size + 4) return OperationStatus.InvalidData;
        var source = new IPAddress(addresses[..size]);
        var destination = new IPAddress(addresses[size..(2 * size)]);
        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size)..]);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size + 2)..]);
        return Done(new ProxyHeader(new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort)),
            length, out header, out consumed);
    }

    // Only a header sets what was parsed and its length: InvalidData and NeedMoreData consume nothing.
    private static OperationStatus Done(ProxyHeader parsed, int length, out ProxyHeader header, out int consumed)
    {
        header = parsed;
        consumed = length;
        return OperationStatus.Done;
    }

    // §2.1: "IPv4 addresses must be indicated as a series of exactly 4 integers in the range [0..255] inclusive
    // written in decimal representation separated by exactly one dot between each other. Heading zeroes are
    // not permitted"; "IPv6 addresses must be indicated as series of 4 hexadecimal digits (upper or lower case)
    // delimited by colons". IPAddress.TryParse is laxer (255.255.255 is 255.255.0.255, 010.0.0.1 is octal, an
    // IPv6 zone or brackets pass): an IPv4 must read back as it was written, an IPv6 holds only hexadecimal
    // digits, colons and the dots of a trailing IPv4 (as inet_ntop writes ::ffff:192.0.2.1).
    private static bool TryAddress(string text, AddressFamily family, [NotNullWhen(true)] out IPAddress? address)
    {
        if (!IPAddress.TryParse(text, out address) || address.AddressFamily != family) return false;
        return family == AddressFamily.InterNetwork
            ? text == address.ToString()
            : text.AsSpan().IndexOfAnyExcept(Ipv6Chars) < 0;
    }

    private static readonly SearchValues<char> Ipv6Chars = SearchValues.Create("0123456789abcdefABCDEF:.");

    // §2.1: ports are decimal 0-65535 without leading zeros.
    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port)
        && port <= IPEndPoint.MaxPort && (text.Length == 1 || text[0] != '0');
}
