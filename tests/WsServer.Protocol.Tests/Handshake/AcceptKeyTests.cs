using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 6455 §1.3 and §4.2.2: <c>Sec-WebSocket-Accept</c> from <c>Sec-WebSocket-Key</c>; §4.1 the nonce.</summary>
public class AcceptKeyTests
{
    [Fact]
    public void TheSampleKeyGivesTheSampleAccept() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", AcceptKey.Compute("dGhlIHNhbXBsZSBub25jZQ=="));

    [Fact]
    public void AKeyLongerThanTheStackBufferIsHashedToo() =>
        Assert.Equal(28, AcceptKey.Compute(new string('A', 1000)).Length);

    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==", true)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ", false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ=", false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ===", false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZXM=", false)]
    [InlineData("dGhlIHNhbXBsZSBub25j*Q==", false)]
    [InlineData("dGhlIHNhbXBsZSBub25j Q==", false)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false)]
    public void AValidKeyIsBase64OfExactlySixteenBytes(string? key, bool valid) =>
        Assert.Equal(valid, AcceptKey.IsValidKey(key));

    [Fact]
    public void NewKeysAreValidAndDifferent()
    {
        string a = AcceptKey.NewKey(), b = AcceptKey.NewKey();
        Assert.True(AcceptKey.IsValidKey(a));
        Assert.True(AcceptKey.IsValidKey(b));
        Assert.NotEqual(a, b);
    }
}
