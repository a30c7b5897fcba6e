using System.Buffers;
using WsServer.Protocol.Handshake;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>Every connection keeps its request's headers: values that repeat across requests are one
/// string between them, values that must not outlive their request in a static are never shared.</summary>
public class SharedHeaderValueTests
{
    private static readonly string Origin = $"http://shared-{Guid.NewGuid():N}.example";

    [Fact]
    public void ARepeatedValueOfAKnownFieldIsOneStringBetweenRequests()
    {
        string head = Upgrade($"Origin: {Origin}\r\nUser-Agent: test/{Origin}\r\n");
        // Other tests parse heads in parallel and may replace the last value between two parses: bounded retries.
        bool shared = false;
        for (int attempt = 0; attempt < 100 && !shared; attempt++)
        {
            UpgradeRequest first = Parse(head), second = Parse(head);
            Assert.Equal(Origin, second.Origin);
            shared = ReferenceEquals(first.Origin, second.Origin) && ReferenceEquals(first.Headers["User-Agent"], second.Headers["User-Agent"]);
        }
        Assert.True(shared, "the same Origin and User-Agent were never one string");
    }

    [Fact]
    public void ADifferentValueIsItsOwnString()
    {
        UpgradeRequest first = Parse(Upgrade($"Origin: {Origin}/a\r\n"));
        UpgradeRequest second = Parse(Upgrade($"Origin: {Origin}/b\r\n"));
        Assert.Equal($"{Origin}/a", first.Origin);
        Assert.Equal($"{Origin}/b", second.Origin);
    }

    [Theory]
    [InlineData("Cookie", "session=secret")]
    [InlineData("Authorization", "Basic dXNlcjpwYXNz")]
    [InlineData("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")]
    public void KeysCookiesAndCredentialsAreNeverShared(string name, string value)
    {
        string head = name == "Sec-WebSocket-Key" ? Upgrade() : Upgrade($"{name}: {value}\r\n");
        UpgradeRequest first = Parse(head), second = Parse(head);
        Assert.Equal(value, first.Headers[name]);
        Assert.Equal(value, second.Headers[name]);
        Assert.NotSame(first.Headers[name], second.Headers[name]);
    }

    private static UpgradeRequest Parse(string head)
    {
        var input = new ReadOnlySequence<byte>(Bytes(head));
        Assert.Equal(OperationStatus.Done, UpgradeRequestParser.TryParse(ref input, HandshakeLimits.Default, out UpgradeRequest? request, out _));
        return request!;
    }
}
