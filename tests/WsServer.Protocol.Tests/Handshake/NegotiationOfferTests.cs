using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 6455 §4.2.1 items 8-9, §9.1 (the <c>Sec-WebSocket-Extensions</c> grammar) and §11.3.4
/// (<c>Sec-WebSocket-Protocol</c>): what the client offers, parsed in order across repeated fields.</summary>
public class NegotiationOfferTests
{
    [Fact]
    public void SubprotocolsAreReadInOrderAcrossRepeatedFields()
    {
        UpgradeRequest request = ParseEverySplit(Upgrade(
            "Sec-WebSocket-Protocol: chat, superchat\r\nX-Other: 1\r\nsec-websocket-protocol: ,v2.json ,, mqtt\r\n"));
        Assert.Equal(["chat", "superchat", "v2.json", "mqtt"], request.Subprotocols);
    }

    [Fact]
    public void NoSubprotocolHeaderGivesAnEmptyList() => Assert.Empty(ParseEverySplit(Upgrade()).Subprotocols);

    [Fact]
    public void AParsedListIsCached()
    {
        UpgradeRequest request = ParseEverySplit(Upgrade("Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Extensions: x\r\n"));
        Assert.Same(request.Subprotocols, request.Subprotocols);
        Assert.Same(request.Extensions, request.Extensions);
    }

    [Fact]
    public void PermessageDeflateOffersWithParametersParse()
    {
        UpgradeRequest request = ParseEverySplit(Upgrade(
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate\r\n"));

        Assert.False(request.HasMalformedExtensions);
        Assert.Equal(2, request.Extensions.Count);
        Assert.Equal("permessage-deflate", request.Extensions[0].Name);
        Assert.Equal(
            [new ExtensionParameter("client_max_window_bits", null), new ExtensionParameter("server_max_window_bits", "10")],
            request.Extensions[0].Parameters);
        Assert.Equal("permessage-deflate", request.Extensions[1].Name);
        Assert.Empty(request.Extensions[1].Parameters);
    }

    [Fact]
    public void QuotedValuesAreUnquoted()
    {
        UpgradeRequest request = ParseEverySplit(Upgrade(
            "Sec-WebSocket-Extensions: x-ext; a=\"15\"; b = \"v\\al\" ;c\r\n"));
        Assert.Equal(
            [new ExtensionParameter("a", "15"), new ExtensionParameter("b", "val"), new ExtensionParameter("c", null)],
            request.Extensions.Single().Parameters);
    }

    [Fact]
    public void OffersAreReadInOrderAcrossRepeatedFields()
    {
        UpgradeRequest request = ParseEverySplit(Upgrade(
            "Sec-WebSocket-Extensions: foo, bar; baz=2\r\nSec-WebSocket-Extensions: ,permessage-deflate,\r\n"));
        Assert.Equal(["foo", "bar", "permessage-deflate"], request.Extensions.Select(offer => offer.Name));
        Assert.False(request.HasMalformedExtensions);
    }

    [Fact]
    public void NoExtensionHeaderGivesAnEmptyWellFormedList()
    {
        UpgradeRequest request = ParseEverySplit(Upgrade());
        Assert.Empty(request.Extensions);
        Assert.False(request.HasMalformedExtensions);
    }

    [Theory]
    [InlineData("permessage-deflate;")]
    [InlineData("; a=1")]
    [InlineData("foo bar")]
    [InlineData("foo; a=")]
    [InlineData("foo; a=\"1")]
    [InlineData("foo; a=\"1 2\"")]
    [InlineData("foo; a=\"\"")]
    [InlineData("foo; a=1=2")]
    [InlineData("foo; =1")]
    [InlineData("f(o)o")]
    [InlineData("foo; a=\"x\\")]
    public void AMalformedOfferFlagsTheHeaderAndGivesNoOffers(string value)
    {
        UpgradeRequest request = ParseEverySplit(Upgrade($"Sec-WebSocket-Extensions: good\r\nSec-WebSocket-Extensions: {value}\r\n"));
        Assert.True(request.HasMalformedExtensions);
        Assert.Empty(request.Extensions);
    }
}
