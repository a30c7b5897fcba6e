using System.Buffers;
using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 9110 §5.1 (field-name = token), §5.5 (field-value is field-vchar, SP and HTAB: "Field values
/// containing CR, LF, or NUL characters are invalid and dangerous") and §5.6.2 (tchar): headers a server
/// adds to its answers are checked when they are handed over, naming the header, and again when written.</summary>
public class HeaderInjectionTests
{
    private static readonly UpgradeRequest Sample = ParseEverySplit(SampleRequest);

    public static TheoryData<string, string> BadFields() => new()
    {
        { "X-Evil", "a\r\nSet-Cookie: x=1" },
        { "X-Evil", "a\rb" },
        { "X-Evil", "a\nb" },
        { "X-Evil", "a\0b" },
        { "X-Evil", "a\u007fb" },
        { "X-Evil", "a\u0001b" },
        { "X-Evil", "\u4e2d" },
        { "X-Evil\r\nSet-Cookie", "x" },
        { "X-Evil\n", "x" },
        { "X-Evil\0", "x" },
        { "X Evil", "x" },
        { "X-Evil:", "x" },
        { "X-\u00e9vil", "x" },
        { "", "x" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void AnAcceptHeaderWithAnInvalidCharacterIsRefusedNamingIt(string name, string value)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            ServerHandshake.ThrowIfInvalidAcceptHeaders([new("X-Good", "1"), new(name, value)], "headers"));

        Assert.Equal("headers", error.ParamName);
        AssertNamesTheHeader(error, name);
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public void ARejectionHeaderWithAnInvalidCharacterIsRefusedNamingIt(string name, string value)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            ServerHandshake.ThrowIfInvalidRejectionHeaders([new(name, value)], "headers"));

        Assert.Equal("headers", error.ParamName);
        AssertNamesTheHeader(error, name);
    }

    [Theory]
    [InlineData("Upgrade")]
    [InlineData("connection")]
    [InlineData("Sec-WebSocket-Accept")]
    [InlineData("Sec-WebSocket-Protocol")]
    [InlineData("Sec-WebSocket-Extensions")]
    public void AnAcceptHeaderTheAnswerWritesItselfIsRefused(string name)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            ServerHandshake.ThrowIfInvalidAcceptHeaders([new(name, "x")], "headers"));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Content-Length")]
    [InlineData("content-type")]
    public void ARejectionHeaderTheAnswerWritesItselfIsRefused(string name) =>
        Assert.Throws<ArgumentException>(() => ServerHandshake.ThrowIfInvalidRejectionHeaders([new(name, "x")], "headers"));

    [Theory]
    [InlineData("Set-Cookie", "id=1; Path=/; HttpOnly")]
    [InlineData("X-Tab", "a\tb")]
    [InlineData("X-Latin1", "caf\u00e9")]
    [InlineData("!#$%&'*+-.^_`|~09AZaz", "\"quoted\" (comment) {}[]")]
    [InlineData("X-Empty", "")]
    public void ValidHeadersPassBothChecksAndAreWrittenAsGiven(string name, string value)
    {
        ServerHandshake.ThrowIfInvalidAcceptHeaders([new(name, value)], "headers");
        ServerHandshake.ThrowIfInvalidRejectionHeaders([new(name, value)], "headers");

        Assert.Contains($"\r\n{name}: {value}\r\n",
            Written(output => ServerHandshake.WriteAccept(output, Sample, new HandshakeAccept { Headers = [new(name, value)] })),
            StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFields))]
    public void TheWritersStillRefuseWhatTheCheckRefuses(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() =>
            ServerHandshake.WriteAccept(output, Sample, new HandshakeAccept { Headers = [new(name, value)] }));
        Assert.Throws<ArgumentException>(() =>
            ServerHandshake.WriteRejection(output, HandshakeRejection.NotFound() with { Headers = [new(name, value)] }));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void ANullHeaderListIsRefused() =>
        Assert.Throws<ArgumentNullException>(() => ServerHandshake.ThrowIfInvalidAcceptHeaders(null!, "headers"));

    /// <summary>The message names the header, escaped (a name holding CR LF is shown as \x0d\x0a), so the
    /// message itself injects nothing into a log.</summary>
    private static void AssertNamesTheHeader(ArgumentException error, string name)
    {
        Assert.Contains($"'{HandshakeRejection.Escape(name)}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\0', error.Message);
    }
}
