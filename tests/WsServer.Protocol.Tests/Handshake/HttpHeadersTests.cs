using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 9110 §5.1 (case-insensitive names), §5.3 (repeated fields combine with commas) and §5.6.1
/// (comma-separated lists).</summary>
public class HttpHeadersTests
{
    private static HttpHeaders Headers(params (string Name, string Value)[] fields)
    {
        var headers = new HttpHeaders();
        foreach ((string name, string value) in fields) headers.Add(name, value);
        return headers;
    }

    [Fact]
    public void NamesCompareCaseInsensitively()
    {
        HttpHeaders headers = Headers(("Sec-WebSocket-Key", "k"));
        Assert.Equal("k", headers["sec-websocket-key"]);
        Assert.Equal("k", headers["SEC-WEBSOCKET-KEY"]);
    }

    [Fact]
    public void AnAbsentFieldIsNull() => Assert.Null(Headers(("A", "1"))["B"]);

    [Fact]
    public void RepeatedFieldsJoinWithACommaInOrder()
    {
        HttpHeaders headers = Headers(("X", "1"), ("Y", "y"), ("x", "2"), ("X", "3"));
        Assert.Equal("1, 2, 3", headers["X"]);
        Assert.Equal(["1", "2", "3"], headers.GetValues("X"));
        Assert.Equal(3, headers.CountOf("X"));
        Assert.Equal(0, headers.CountOf("Z"));
        Assert.Empty(headers.GetValues("Z"));
    }

    [Fact]
    public void FieldsKeepTheirOrderAndCase()
    {
        HttpHeaders headers = Headers(("b", "2"), ("A", "1"));
        Assert.Equal(2, headers.Count);
        Assert.Equal(new KeyValuePair<string, string>("b", "2"), headers[0]);
        Assert.Equal(["b", "A"], headers.Select(field => field.Key));
    }

    [Theory]
    [InlineData("Upgrade")]
    [InlineData("keep-alive, Upgrade")]
    [InlineData("keep-alive,upgrade")]
    [InlineData("  UPGRADE\t ,")]
    [InlineData(",, upgrade ,")]
    public void ContainsTokenFindsATokenInAListCaseInsensitively(string value) =>
        Assert.True(Headers(("Connection", value)).ContainsToken("connection", "Upgrade"));

    [Theory]
    [InlineData("keep-alive")]
    [InlineData("Upgrades")]
    [InlineData("Up grade")]
    [InlineData("\"Upgrade\"")]
    [InlineData("")]
    public void ContainsTokenMatchesWholeElementsOnly(string value) =>
        Assert.False(Headers(("Connection", value)).ContainsToken("Connection", "Upgrade"));

    [Fact]
    public void ContainsTokenLooksInEveryRepeatedField() =>
        Assert.True(Headers(("Connection", "keep-alive"), ("Connection", "Upgrade")).ContainsToken("Connection", "upgrade"));

    [Fact]
    public void ContainsTokenOfAnAbsentFieldIsFalse() =>
        Assert.False(Headers().ContainsToken("Connection", "Upgrade"));
}
