using WsServer.Protocol.Compression;

namespace WsServer.Protocol.Tests.Compression;

/// <summary>RFC 7692 §5 and §7.1, the client's side: the offer it sends, and its checks of the server's answer.</summary>
public class PerMessageDeflateOfferTests
{
    private static DeflateParameters? Accepted(params string[] response)
    {
        bool ok = PerMessageDeflateOffer.TryAccept(response, out DeflateParameters? agreed, out string? error);
        Assert.True(ok, error);
        Assert.Null(error);
        return agreed;
    }

    private static string Refused(params string[] response)
    {
        Assert.False(PerMessageDeflateOffer.TryAccept(response, out DeflateParameters? agreed, out string? error));
        Assert.Null(agreed);
        return Assert.IsType<string>(error);
    }

    [Fact]
    public void TheOfferSaysTheClientCanTakeASmallerWindow() =>
        Assert.Equal("permessage-deflate; client_max_window_bits", PerMessageDeflateOffer.Default);

    [Fact]
    public void NoExtensionInTheAnswerMeansNoCompression()
    {
        Assert.Null(Accepted());
        Assert.Null(Accepted(""));
    }

    [Theory]
    [InlineData("permessage-deflate", false, false, 15, 15)]
    [InlineData("PerMessage-Deflate", false, false, 15, 15)]
    [InlineData("permessage-deflate; server_no_context_takeover", true, false, 15, 15)]
    [InlineData("permessage-deflate; client_no_context_takeover", false, true, 15, 15)]
    // §7.1.2.1: the server may state its window even when the offer did not ask for one.
    [InlineData("permessage-deflate; server_max_window_bits=10", false, false, 10, 15)]
    [InlineData("permessage-deflate; server_max_window_bits=\"8\"", false, false, 8, 15)]
    // §7.1.2.2: offered without a value, so the server may limit the client's window.
    [InlineData("permessage-deflate; client_max_window_bits=9", false, false, 15, 9)]
    [InlineData("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=11",
        true, true, 12, 11)]
    public void TheAgreedParametersAreThoseOfTheAnswer(string answer, bool serverNoTakeover, bool clientNoTakeover,
        int serverWindow, int clientWindow) =>
        Assert.Equal(new DeflateParameters(serverNoTakeover, clientNoTakeover, serverWindow, clientWindow), Accepted(answer));

    [Theory]
    // §7.1: "the client MUST _Fail the WebSocket Connection_" when the response has a parameter it
    // does not know, one twice, or one with an invalid value.
    [InlineData("permessage-deflate; x-unknown")]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=7")]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; server_max_window_bits=010")]
    // §7.1.2.2: "the server MUST include a value" for client_max_window_bits in a response.
    [InlineData("permessage-deflate; client_max_window_bits")]
    [InlineData("permessage-deflate; client_max_window_bits=0")]
    // §5: one permessage-deflate element only; the offer named no other extension.
    [InlineData("permessage-deflate, permessage-deflate")]
    [InlineData("x-webkit-deflate-frame")]
    [InlineData("permessage-deflate; =")]
    public void AnAnswerTheClientMustFailIsRefusedWithAReason(string answer) =>
        Assert.NotEmpty(Refused(answer));

    [Fact]
    public void TheAnswerIsReadAcrossRepeatedFields() =>
        Assert.Contains("more than one", Refused("permessage-deflate", "permessage-deflate; server_no_context_takeover"), StringComparison.Ordinal);
}
