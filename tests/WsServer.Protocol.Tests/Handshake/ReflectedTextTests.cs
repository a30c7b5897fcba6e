using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>Request text quoted in a refusal's reason (sent as the body and logged) is escaped: printable
/// ASCII stays, markup characters, controls and non-ASCII characters become \xNN (\uNNNN above U+00FF),
/// and it is cut to a bounded length, so a reason never carries the peer's markup, line breaks or bytes.</summary>
public class ReflectedTextTests
{
    [Theory]
    [InlineData("https://example.com", "https://example.com")]
    [InlineData("<script>alert(1)</script>", @"\x3cscript\x3ealert(1)\x3c/script\x3e")]
    [InlineData("caf\u00e9", @"caf\xe9")]
    [InlineData("a\r\nb\0", @"a\x0d\x0ab\x00")]
    [InlineData("\"'&\\", @"\x22\x27\x26\x5c")]
    [InlineData("\u4e2d\u007f", @"\u4e2d\x7f")]
    [InlineData("", "")]
    public void TheTextIsEscaped(string text, string escaped) => Assert.Equal(escaped, HandshakeRejection.Escape(text));

    [Fact]
    public void NullIsEmpty() => Assert.Equal("", HandshakeRejection.Escape(null));

    [Fact]
    public void LongTextIsCutAfter64Characters() =>
        Assert.Equal(new string('a', 64) + "...", HandshakeRejection.Escape(new string('a', 65)));

    [Fact]
    public void TextOf64CharactersIsKeptWhole() =>
        Assert.Equal(new string('a', 64), HandshakeRejection.Escape(new string('a', 64)));
}
