using System.Buffers;
using System.Net;
using System.Text;
using WsServer.Transport;

namespace WsServer.Tests.ProxyProtocol;

/// <summary>The PROXY protocol spec (haproxy.org proxy-protocol.txt), §2.1 (v1) and §2.2 (v2), byte by byte.</summary>
public sealed class ProxyProtocolParserTests
{
    internal static byte[] V2(int command, int family, byte[] addresses) =>
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            (byte)(0x20 | command), (byte)(family << 4 | 1), (byte)(addresses.Length >> 8), (byte)addresses.Length, .. addresses];

    internal static byte[] V2Tcp4(string source, int sourcePort, string destination, int destinationPort) =>
        V2(1, 1, [.. IPAddress.Parse(source).GetAddressBytes(), .. IPAddress.Parse(destination).GetAddressBytes(),
            (byte)(sourcePort >> 8), (byte)sourcePort, (byte)(destinationPort >> 8), (byte)destinationPort]);

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\n", "203.0.113.7:40000", "192.0.2.1:443")]
    [InlineData("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", "[2001:db8::1]:1", "[2001:db8::2]:65535")]
    public void V1GivesBothAddresses(string line, string source, string destination)
    {
        byte[] input = [.. Encoding.ASCII.GetBytes(line), .. "GET"u8];

        Assert.Equal(OperationStatus.Done, ProxyProtocolParser.TryParse(input, out ProxyHeader header, out int consumed));
        Assert.Equal(line.Length, consumed);
        Assert.Equal(IPEndPoint.Parse(source), header.Source);
        Assert.Equal(IPEndPoint.Parse(destination), header.Destination);
    }

    [Fact]
    public void V1UnknownKeepsTheConnectionsAddresses()
    {
        Assert.Equal(OperationStatus.Done, ProxyProtocolParser.TryParse("PROXY UNKNOWN\r\n"u8, out ProxyHeader header, out int consumed));
        Assert.Equal(15, consumed);
        Assert.Null(header.Source);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 40000\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 040000 443\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 70000 443\r\n")]
    [InlineData("PROXY UDP4 203.0.113.7 192.0.2.1 1 2\r\n")]
    [InlineData("proxy TCP4 203.0.113.7 192.0.2.1 1 2\r\n")]
    public void BadV1IsRefused(string line) =>
        Assert.Equal(OperationStatus.InvalidData, ProxyProtocolParser.TryParse(Encoding.ASCII.GetBytes(line), out _, out _));

    [Theory]
    [InlineData("PROXY TCP4 255.255.255 192.0.2.1 1 2\r\n")] // found by the proxy fuzz target: read as 255.255.0.255
    [InlineData("PROXY TCP4 1 192.0.2.1 1 2\r\n")]
    [InlineData("PROXY TCP4 010.0.0.1 192.0.2.1 1 2\r\n")]
    [InlineData("PROXY TCP4 0x7f.0.0.1 192.0.2.1 1 2\r\n")]
    [InlineData("PROXY TCP4 192.0.2.1 192.0.2.01 1 2\r\n")]
    [InlineData("PROXY TCP6 fe80::1%1 2001:db8::2 1 2\r\n")]
    [InlineData("PROXY TCP6 [2001:db8::1] 2001:db8::2 1 2\r\n")]
    public void AV1AddressNotInCanonicalFormIsRefused(string line) =>
        Assert.Equal(OperationStatus.InvalidData, ProxyProtocolParser.TryParse(Encoding.ASCII.GetBytes(line), out _, out _));

    [Theory]
    [InlineData("PROXY TCP6 ::ffff:192.0.2.1 2001:DB8::2 1 2\r\n")]
    [InlineData("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n")]
    public void V1AcceptsCanonicalAddresses(string line) =>
        Assert.Equal(OperationStatus.Done, ProxyProtocolParser.TryParse(Encoding.ASCII.GetBytes(line), out _, out _));

    [Fact]
    public void AV1LineWithoutCrlfWithin107BytesIsRefused()
    {
        byte[] input = Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 120));

        Assert.Equal(OperationStatus.InvalidData, ProxyProtocolParser.TryParse(input, out _, out _));
    }

    [Fact]
    public void V2Tcp4GivesBothAddressesAndSkipsTlvs()
    {
        byte[] header = V2Tcp4("198.51.100.9", 51000, "192.0.2.1", 443);
        header[15] += 3; // one TLV of 3 bytes: type, 2-byte length 0
        byte[] input = [.. header, 0x04, 0x00, 0x00, .. "GET"u8];

        Assert.Equal(OperationStatus.Done, ProxyProtocolParser.TryParse(input, out ProxyHeader parsed, out int consumed));
        Assert.Equal(input.Length - 3, consumed);
        Assert.Equal(IPEndPoint.Parse("198.51.100.9:51000"), parsed.Source);
        Assert.Equal(IPEndPoint.Parse("192.0.2.1:443"), parsed.Destination);
    }

    [Fact]
    public void V2LocalKeepsTheConnectionsAddresses()
    {
        Assert.Equal(OperationStatus.Done, ProxyProtocolParser.TryParse(V2(0, 0, []), out ProxyHeader header, out int consumed));
        Assert.Equal(16, consumed);
        Assert.Null(header.Source);
    }

    [Fact]
    public void EveryPrefixOfAHeaderNeedsMoreDataAndConsumesNothing()
    {
        foreach (byte[] whole in new[] { V2Tcp4("198.51.100.9", 1, "192.0.2.1", 2), "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"u8.ToArray() })
        {
            for (int length = 0; length < whole.Length; length++)
            {
                Assert.Equal(OperationStatus.NeedMoreData, ProxyProtocolParser.TryParse(whole.AsSpan(0, length), out _, out int consumed));
                Assert.Equal(0, consumed);
            }
        }
    }

    [Theory]
    [InlineData(0x10, 0x11)] // version 1 in a v2 header
    [InlineData(0x22, 0x11)] // command 2
    [InlineData(0x21, 0x41)] // family 4
    [InlineData(0x21, 0x13)] // transport protocol 3 (found by the proxy fuzz target, docs/fuzzing.md)
    [InlineData(0x21, 0x1A)] // transport protocol 10
    public void BadV2IsRefused(int versionCommand, int familyTransport)
    {
        byte[] header = V2Tcp4("198.51.100.9", 1, "192.0.2.1", 2);
        header[12] = (byte)versionCommand;
        header[13] = (byte)familyTransport;

        Assert.Equal(OperationStatus.InvalidData, ProxyProtocolParser.TryParse(header, out _, out _));
    }

    [Fact]
    public void ARefusedHeaderConsumesNothing()
    {
        // Found by the proxy fuzz target (docs/fuzzing.md): a complete but invalid v1 line or v2 block reported
        // its length as consumed along with InvalidData.
        Assert.Equal(OperationStatus.InvalidData,
            ProxyProtocolParser.TryParse("PROXY UNKNO8::1 2001:db8::2 1 65535\r\n"u8, out ProxyHeader v1, out int v1Consumed));
        Assert.Equal(OperationStatus.InvalidData, ProxyProtocolParser.TryParse(V2(1, 2, new byte[12]), out ProxyHeader v2, out int v2Consumed));

        Assert.Equal((0, 0), (v1Consumed, v2Consumed));
        Assert.Equal((default(ProxyHeader), default(ProxyHeader)), (v1, v2));
    }

    [Fact]
    public void AV2AddressBlockTooShortForItsFamilyIsRefused() =>
        Assert.Equal(OperationStatus.InvalidData, ProxyProtocolParser.TryParse(V2(1, 2, new byte[12]), out _, out _));
}
