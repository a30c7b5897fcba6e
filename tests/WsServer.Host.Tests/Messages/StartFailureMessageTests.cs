using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WsServer.Host.Tests.TestSupport;
using WsServer.Tests.TestSupport;

namespace WsServer.Host.Tests.Messages;

/// <summary>A start that fails says why in one line on stderr: no stack trace, no stopping line.</summary>
public sealed class StartFailureMessageTests
{
    [Fact]
    public async Task PortInUseIsTheOneLineWithNothingElse()
    {
        using var taken = new TakenPort();

        using HostProcess host = HostProcess.Start("--address", "127.0.0.1", "--port", taken.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, await host.WaitForExitAsync());
        Assert.Equal([$"wsserver: cannot listen on 127.0.0.1:{taken.Port}: Address already in use"], host.Stderr);
        Assert.Empty(host.Stdout);
    }

    [Fact]
    public async Task RedisConfigurationErrorHasNoParameterSuffix()
    {
        using HostProcess host = HostProcess.Start("--address", "127.0.0.1", "--port", "0", "--redis", "127.0.0.1:1,bogus=1");

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Equal(["wsserver: Redis configuration is not valid: Keyword 'bogus' is not supported."], host.Stderr);
        Assert.Empty(host.Stdout);
    }

    [Fact]
    public async Task PemCertificateWithoutKeySaysToGiveTheKey()
    {
        string folder = Directory.CreateTempSubdirectory("wsserver-pem-").FullName;
        string cert = Path.Combine(folder, "cert.pem");
        using (var key = RSA.Create(2048))
        using (X509Certificate2 made = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1)))
            File.WriteAllText(cert, made.ExportCertificatePem());

        using HostProcess host = HostProcess.Start("--address", "127.0.0.1", "--port", "0", "--cert", cert);

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Equal([$"wsserver: --cert {cert} holds no private key: give it with --key KEY.pem, or put the key in the same file"], host.Stderr);
        Assert.Empty(host.Stdout);
    }
}

/// <summary><c>wsserver connect</c>'s refusals of its own flags read as sentences, not as a method's arguments.</summary>
public sealed class ConnectMessageTests
{
    [Fact]
    public async Task BadSubprotocolHasNoParameterSuffix()
    {
        using var listening = new TakenPort();

        using HostProcess host = HostProcess.Start("connect", $"ws://127.0.0.1:{listening.Port}/", "--subprotocol", "a b");

        Assert.Equal(2, await host.WaitForExitAsync());
        Assert.Equal(["wsserver connect: The subprotocol 'a b' is not a token."], host.Stderr);
    }
}
