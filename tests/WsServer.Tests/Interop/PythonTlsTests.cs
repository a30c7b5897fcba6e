using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Interop;

/// <summary>wss:// with Python's <c>websockets</c>: the client trusts only the certificate the test made.</summary>
public sealed class PythonTlsTests
{
    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task PythonClientEchoesOverWssWithAPemOrPfxCertificate(string format)
    {
        using var certificate = TestCertificate.Create();
        CertificateFile file = format == "pem"
            ? CertificateFile.Pem(certificate.CertPath, certificate.KeyPath)
            : CertificateFile.Pfx(certificate.PfxPath, TestCertificate.Password);
        await using TestServer server = await TestServer.StartAsync(new EchoHandler(), o => o.Tls = new TlsOptions { Certificate = file });

        (int exit, string output) = await PythonWebSocketsTests.RunAsync(
            Path.Combine(AppContext.BaseDirectory, "Interop", "tls_client.py"),
            server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), certificate.CertPath);

        Assert.True(exit == 0, output);
        Assert.Contains("OK TLSv1.", output, StringComparison.Ordinal);
    }
}
