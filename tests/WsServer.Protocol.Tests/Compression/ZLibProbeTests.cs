using WsServer.Protocol.Compression;
using WsServer.Protocol.Handshake;

namespace WsServer.Protocol.Tests.Compression;

/// <summary>The codec calls the system zlib (<c>libz.so.1</c>); where it cannot be loaded, compression is
/// declined, so a connection on such a machine goes on uncompressed instead of failing.</summary>
public class ZLibProbeTests
{
    [Fact]
    public void ALibraryThatIsNotThereIsReportedMissing() =>
        Assert.False(ZLibProbe.Probe("libz-not-installed-here.so.0"));

    [Fact]
    public void ALibraryThatIsNotZlibIsReportedMissing() =>
        // libc has no deflateInit2_: found, but not a zlib the codec could call.
        Assert.False(ZLibProbe.Probe(OperatingSystem.IsLinux() ? "libc.so.6" : "libc-not-zlib"));

    [Fact]
    public void IsSupportedIsTheProbeOfTheCodecsLibrary() =>
        Assert.Equal(ZLibProbe.Probe(ZStreamHandle.Library), PerMessageDeflateNegotiator.IsSupported);

    [Theory]
    [InlineData("permessage-deflate")]
    [InlineData("permessage-deflate; client_max_window_bits")]
    [InlineData("permessage-deflate; server_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; server_max_window_bits=10; client_max_window_bits=9")]
    [InlineData("x-webkit-deflate-frame, permessage-deflate")]
    public void WithoutZlibEveryOfferIsDeclined(string header)
    {
        Assert.True(ExtensionListParser.TryParse([header], out List<ExtensionOffer> offers), header);

        Assert.NotNull(PerMessageDeflateNegotiator.Negotiate(offers, PerMessageDeflateOptions.Default, codecAvailable: true));
        Assert.Null(PerMessageDeflateNegotiator.Negotiate(offers, PerMessageDeflateOptions.Default, codecAvailable: false));
    }
}
