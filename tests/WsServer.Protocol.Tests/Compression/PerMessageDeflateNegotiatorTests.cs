using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Tests.Compression;

/// <summary>RFC 7692 §5 and §7.1: the server's choice among the client's permessage-deflate offers.</summary>
public class PerMessageDeflateNegotiatorTests
{
    /// <summary>Options that force nothing, so each answer shows what the offer alone leads to.</summary>
    private static readonly PerMessageDeflateOptions Defaults = new() { ServerNoContextTakeover = false };

    private static string? Answer(string header, PerMessageDeflateOptions? options = null)
    {
        Assert.True(ExtensionListParser.TryParse([header], out List<ExtensionOffer> offers), header);
        return PerMessageDeflateNegotiator.Negotiate(offers, options ?? Defaults)?.ResponseHeader;
    }

    [Theory]
    // §7.1 examples: a bare offer is accepted with nothing to add.
    [InlineData("permessage-deflate", "permessage-deflate")]
    [InlineData("PerMessage-Deflate", "permessage-deflate")]
    // §7.1.1.1, §7.1.1.2: the no-context-takeover hints are agreed.
    [InlineData("permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover")]
    [InlineData("permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover")]
    [InlineData("permessage-deflate; client_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover")]
    // §7.1.2.1: an offered server window is answered, as offered or smaller, 8 included.
    [InlineData("permessage-deflate; server_max_window_bits=10", "permessage-deflate; server_max_window_bits=10")]
    [InlineData("permessage-deflate; server_max_window_bits=15", "permessage-deflate; server_max_window_bits=15")]
    [InlineData("permessage-deflate; server_max_window_bits=8", "permessage-deflate; server_max_window_bits=8")]
    [InlineData("permessage-deflate; server_max_window_bits=\"9\"", "permessage-deflate; server_max_window_bits=9")]
    // §7.1.2.2: client_max_window_bits with no value only says the client supports it.
    [InlineData("permessage-deflate; client_max_window_bits", "permessage-deflate")]
    [InlineData("permessage-deflate; client_max_window_bits=12", "permessage-deflate; client_max_window_bits=12")]
    [InlineData("permessage-deflate; client_max_window_bits=8", "permessage-deflate; client_max_window_bits=8")]
    // The §7.1 example list: the first offer the server can honour wins.
    [InlineData("permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits",
        "permessage-deflate; server_max_window_bits=10")]
    [InlineData("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits", "permessage-deflate")]
    public void AcceptsTheFirstOfferItCanHonour(string offer, string expected) => Assert.Equal(expected, Answer(offer));

    [Theory]
    // §7.1: unknown parameters, repeated parameters and bad values are declined.
    [InlineData("permessage-deflate; unknown_parameter")]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")]
    [InlineData("permessage-deflate; client_max_window_bits; client_max_window_bits=10")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]
    [InlineData("permessage-deflate; client_no_context_takeover=true")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=7")]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; server_max_window_bits=08")]
    [InlineData("permessage-deflate; server_max_window_bits=abc")]
    [InlineData("permessage-deflate; client_max_window_bits=0")]
    [InlineData("permessage-deflate; client_max_window_bits=15.0")]
    [InlineData("x-webkit-deflate-frame")]
    public void DeclinesAnOfferItCannotHonour(string offer) => Assert.Null(Answer(offer));

    [Fact]
    public void SkipsADeclinedOfferForTheNextOne() =>
        Assert.Equal("permessage-deflate; client_no_context_takeover",
            Answer("permessage-deflate; server_max_window_bits=99, permessage-deflate; client_no_context_takeover"));

    [Fact]
    public void DisabledDeclinesEverything() =>
        Assert.Null(Answer("permessage-deflate", PerMessageDeflateOptions.Disabled));

    [Fact]
    public void ServerPreferencesAreStatedWhereTheRfcAllows()
    {
        var options = new PerMessageDeflateOptions
        {
            ServerMaxWindowBits = 11, ClientMaxWindowBits = 10, ServerNoContextTakeover = true, ClientNoContextTakeover = true,
        };

        // §7.1.2.1: a server may limit its own window unasked; §7.1.2.2: the client's only if offered.
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11",
            Answer("permessage-deflate", options));
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10",
            Answer("permessage-deflate; server_max_window_bits=9; client_max_window_bits", options));
    }

    [Fact]
    public void AgreedParametersMatchTheAnswer()
    {
        Assert.True(ExtensionListParser.TryParse(["permessage-deflate; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=12"],
            out List<ExtensionOffer> offers));

        DeflateAgreement agreement = PerMessageDeflateNegotiator.Negotiate(offers, Defaults)!.Value;

        Assert.Equal(new DeflateParameters(ServerNoContextTakeover: false, ClientNoContextTakeover: true,
            ServerMaxWindowBits: 9, ClientMaxWindowBits: 12), agreement.Parameters);
    }
}
