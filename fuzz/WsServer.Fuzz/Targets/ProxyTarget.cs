using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using WsServer.Transport;

namespace WsServer.Fuzz.Targets;

/// <summary>The PROXY protocol parser (<c>ProxyProtocolParser.TryParse</c>, server layer, internal: reached
/// through <c>InternalsVisibleTo</c>), fed as <c>ProxyProtocolReader</c> feeds it: the bytes received so far,
/// reparsed after each read.</summary>
/// <remarks>Input: byte 0 is the control byte (low 5 bits the <see cref="ChunkPlan"/>), the rest what the
/// proxy sent. Oracles, beyond "never throws": Done consumes 1 to the bytes given, at most 107 for v1 and
/// 16 + 4096 for v2, and gives both addresses or neither; the answer never depends on how the bytes
/// arrived (a prefix is NeedMoreData, or already the final answer); a v1 address is in its canonical
/// form (haproxy's proxy-protocol.txt §2.1: IPv4 as four decimal numbers without leading zeros, IPv6 in
/// hexadecimal, no zone or brackets); a v2 transport protocol other than UNSPEC, STREAM or DGRAM is refused (§2.2);
/// and read(write(header)) == header for v1 and v2.</remarks>
public sealed class ProxyTarget : IFuzzTarget
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public string Name => "proxy";

    public IReadOnlyList<byte[]> Seeds { get; } = ProxySeeds.Build();

    public IReadOnlyList<byte[]> Dictionary => ProxySeeds.Tokens;

    public void Run(ReadOnlySpan<byte> input, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (input.IsEmpty)
            return;
        byte control = input[0];
        byte[] data = input[1..].ToArray();

        OperationStatus status = ProxyProtocolParser.TryParse(data, out ProxyHeader header, out int consumed);
        bool v2 = data.AsSpan().StartsWith(V2Signature);
        features.Add(20, (int)status, v2 ? 2 : 1, FeatureSet.Bucket(consumed));
        features.Add(21, (int)status, header.Source?.AddressFamily is { } family ? (int)family : -1, FeatureSet.Bucket(data.Length));

        CheckDone(data, status, header, consumed, v2);
        CheckReadsAgree(data, control, status, header, consumed);
        if (status == OperationStatus.Done && !v2)
            CheckCanonicalV1(data.AsSpan(0, consumed), header);
        if (status == OperationStatus.Done && v2 && (data[13] & 0x0F) > 2)
            throw new OracleException($"v2 transport protocol {data[13] & 0x0F} accepted (§2.2: only 0, 1, 2)");
        if (status == OperationStatus.Done && header.Source is not null)
            CheckRoundTrip(header);
    }

    private static void CheckDone(byte[] data, OperationStatus status, ProxyHeader header, int consumed, bool v2)
    {
        if (status != OperationStatus.Done)
        {
            if (consumed != 0)
                throw new OracleException($"{status} consumed {consumed}");
            return;
        }
        int max = v2 ? ProxyProtocolParser.MaxV2Length : ProxyProtocolParser.MaxV1Length;
        if (consumed < 1 || consumed > data.Length || consumed > max)
            throw new OracleException($"Done consumed {consumed} of {data.Length} (max {max})");
        if ((header.Source is null) != (header.Destination is null))
            throw new OracleException("one address without the other");
        if (header.Source is { } source && source.AddressFamily != header.Destination!.AddressFamily)
            throw new OracleException($"source {source} and destination {header.Destination} differ in family");
    }

    /// <summary>Reparsing the bytes received so far after each read, as the reader does, ends as parsing
    /// everything at once did.</summary>
    private static void CheckReadsAgree(byte[] data, byte control, OperationStatus expected, ProxyHeader expectedHeader, int expectedConsumed)
    {
        var plan = new ChunkPlan(control);
        if (plan.MaxChunk == 0)
            return;
        int received = 0;
        while (received < data.Length)
        {
            received = (int)Math.Min((long)received + plan.Next(), data.Length);
            OperationStatus status = ProxyProtocolParser.TryParse(data.AsSpan(0, received), out ProxyHeader header, out int consumed);
            if (status == OperationStatus.NeedMoreData)
                continue;
            if (status != expected || consumed != expectedConsumed || header != expectedHeader)
                throw new OracleException($"after {received} of {data.Length} bytes: {status} {consumed} {header}; all at once: "
                    + $"{expected} {expectedConsumed} {expectedHeader}");
            return;
        }
        if (expected != OperationStatus.NeedMoreData)
            throw new OracleException($"reads ended NeedMoreData, all at once {expected}");
    }

    private static void CheckCanonicalV1(ReadOnlySpan<byte> line, ProxyHeader header)
    {
        if (header.Source is null)
            return;
        string[] fields = Encoding.ASCII.GetString(line[..^2]).Split(' ');
        CheckCanonical(fields[2], header.Source.Address);
        CheckCanonical(fields[3], header.Destination!.Address);
    }

    private static void CheckCanonical(string text, IPAddress address)
    {
        // IPv6 may end in a dotted IPv4 (inet_ntop writes ::ffff:192.0.2.1 so); no zone, no brackets.
        bool canonical = address.AddressFamily == AddressFamily.InterNetwork
            ? text == address.ToString()
            : text.AsSpan().IndexOfAnyExcept("0123456789abcdefABCDEF:.") < 0;
        if (!canonical)
            throw new OracleException($"v1 address '{text}' accepted as {address}: not in canonical form (§2.1)");
    }

    /// <summary>The header written as v1 and as v2 reads back the same.</summary>
    private static void CheckRoundTrip(ProxyHeader header)
    {
        IPEndPoint source = header.Source!, destination = header.Destination!;
        bool v6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        string v1 = $"PROXY {(v6 ? "TCP6" : "TCP4")} {source.Address} {destination.Address} {source.Port} {destination.Port}\r\n";
        Expect(Encoding.ASCII.GetBytes(v1), header, "v1");

        byte[] src = source.Address.GetAddressBytes(), dst = destination.Address.GetAddressBytes();
        byte[] ports = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(ports, (ushort)source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(ports.AsSpan(2), (ushort)destination.Port);
        int length = src.Length + dst.Length + 4;
        byte[] v2 = [.. V2Signature, 0x21, (byte)(v6 ? 0x21 : 0x11), (byte)(length >> 8), (byte)length, .. src, .. dst, .. ports];
        // v2 carries no zone: compare the addresses' bytes.
        Expect(v2, new ProxyHeader(new IPEndPoint(new IPAddress(src), source.Port), new IPEndPoint(new IPAddress(dst), destination.Port)), "v2");
    }

    private static void Expect(byte[] written, ProxyHeader expected, string version)
    {
        OperationStatus status = ProxyProtocolParser.TryParse(written, out ProxyHeader read, out int consumed);
        if (status != OperationStatus.Done || consumed != written.Length || read != expected)
            throw new OracleException($"{version} round trip of {expected}: {status} {consumed}/{written.Length} {read}");
    }
}

/// <summary>The seed corpus and dictionary of the PROXY target.</summary>
internal static class ProxySeeds
{
    public static IReadOnlyList<byte[]> Tokens { get; } =
    [
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A],
        [0x20], [0x21], [0x11], [0x12], [0x21, 0x11], [0x21, 0x21], [0x21, 0x31], [0x00, 0x0C], [0x00, 0x24], [0xFF, 0xFF],
        .. new[]
        {
            "PROXY ", "TCP4 ", "TCP6 ", "UNKNOWN", "UDP4 ", "\r\n", " ", ".", ":", "::", "%", "0", "00", "65535", "65536",
            "255.255.255.255", "0.0.0.0", "127.0.0.1", "::1", "::ffff:", "2001:db8::", "0x7f", "%eth0", "GET / HTTP/1.1\r\n",
        }.Select(Encoding.ASCII.GetBytes),
    ];

    public static IReadOnlyList<byte[]> Build()
    {
        byte[][] headers =
        [
            .. new[]
            {
                "PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\nGET / HTTP/1.1\r\n",
                "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n",
                "PROXY UNKNOWN\r\n",
                "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n",
                "PROXY TCP4 255.255.255.255 0.0.0.0 65535 0\r\n",
            }.Select(Encoding.ASCII.GetBytes),
            V2(0x21, 0x11, [203, 0, 113, 7, 192, 0, 2, 1, 0x9C, 0x40, 0x01, 0xBB]),
            V2(0x21, 0x21, [0x20, 0x01, 0x0d, 0xb8, .. new byte[11], 1, 0x20, 0x01, 0x0d, 0xb8, .. new byte[11], 2, 0, 1, 0xFF, 0xFF]),
            V2(0x20, 0x00, []),
            V2(0x21, 0x31, new byte[216]),
            // TCP4 with TLVs after the addresses (PP2_TYPE_ALPN "h2", PP2_TYPE_NOOP).
            V2(0x21, 0x11, [10, 0, 0, 1, 10, 0, 0, 2, 0, 80, 0, 81, 0x01, 0x00, 0x02, (byte)'h', (byte)'2', 0x04, 0x00, 0x00]),
        ];
        byte[] controls = [0x00, 0x05, 0x1F];
        return [.. headers.SelectMany(header => controls.Select(c => (byte[])[c, .. header]))];
    }

    private static byte[] V2(byte versionCommand, byte familyProtocol, byte[] body) =>
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            versionCommand, familyProtocol, (byte)(body.Length >> 8), (byte)body.Length, .. body];
}
