using WsServer.Protocol.Compression;

namespace WsServer.Protocol.Tests.Compression;

/// <summary>RFC 7692 §7.1, a client's offer shaped by its parameters: the header it writes, and its checks
/// that the server's answer honours what was asked.</summary>
public class ShapedDeflateOfferTests
{
    private static readonly DeflateParameters Everything = new(
        ServerNoContextTakeover: true, ClientNoContextTakeover: true, ServerMaxWindowBits: 10, ClientMaxWindowBits: 12);

    [Fact]
    public void TheDefaultOfferIsTheDefaultHeader() =>
        Assert.Equal(PerMessageDeflateOffer.Default, PerMessageDeflateOffer.ToHeader(PerMessageDeflateOffer.DefaultOffer));

    [Theory]
    [InlineData(false, false, 15, 15, "permessage-deflate; client_max_window_bits")]
    [InlineData(true, false, 15, 15, "permessage-deflate; server_no_context_takeover; client_max_window_bits")]
    [InlineData(false, true, 15, 15, "permessage-deflate; client_no_context_takeover; client_max_window_bits")]
    [InlineData(false, false, 9, 15, "permessage-deflate; server_max_window_bits=9; client_max_window_bits")]
    [InlineData(false, false, 15, 8, "permessage-deflate; client_max_window_bits=8")]
    [InlineData(true, true, 10, 12,
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12")]
    public void TheOfferNamesEachParameterAsked(bool serverNoTakeover, bool clientNoTakeover, int serverWindow,
        int clientWindow, string header) =>
        Assert.Equal(header, PerMessageDeflateOffer.ToHeader(new DeflateParameters(serverNoTakeover, clientNoTakeover, serverWindow, clientWindow)));

    [Theory]
    // §7.1.1.1: the server "MUST include" server_no_context_takeover when it was offered.
    [InlineData("permessage-deflate; server_max_window_bits=10", "server_no_context_takeover")]
    // §7.1.2.1: an offered server window is answered, with at most its value.
    [InlineData("permessage-deflate; server_no_context_takeover", "server_max_window_bits")]
    [InlineData("permessage-deflate; server_no_context_takeover; server_max_window_bits=11", "11 bits")]
    // §7.1.2.2: the client's window may only shrink.
    [InlineData("permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=13", "13 bits")]
    public void AnAnswerThatDoesNotHonourTheOfferIsRefused(string answer, string reasonNames)
    {
        Assert.False(PerMessageDeflateOffer.TryAccept([answer], Everything, out DeflateParameters? agreed, out string? error));
        Assert.Null(agreed);
        Assert.Contains(reasonNames, error, StringComparison.Ordinal);
    }

    [Fact]
    public void WhatTheClientAskedOfItselfHoldsWhenTheAnswerIsSilentOnIt()
    {
        Assert.True(PerMessageDeflateOffer.TryAccept(["permessage-deflate; server_no_context_takeover; server_max_window_bits=9"],
            Everything, out DeflateParameters? agreed, out string? error), error);

        Assert.Equal(new DeflateParameters(true, true, 9, 12), agreed);
    }

    [Fact]
    public void ASmallerClientWindowInTheAnswerIsUsed()
    {
        Assert.True(PerMessageDeflateOffer.TryAccept(
            ["permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=8"],
            Everything, out DeflateParameters? agreed, out string? error), error);

        Assert.Equal(new DeflateParameters(true, true, 10, 8), agreed);
    }

    [Fact]
    public void ADeclinedOfferAgreesToNothing()
    {
        Assert.True(PerMessageDeflateOffer.TryAccept([], Everything, out DeflateParameters? agreed, out string? error));
        Assert.Null(agreed);
        Assert.Null(error);
    }
}
