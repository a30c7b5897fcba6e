using System.Buffers;
using System.Text;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Tests.TestSupport;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 6455 §4.1 (client requirements): the request a client writes, and its checks of the
/// server's answer, over every split.</summary>
public class ClientHandshakeTests
{
    private const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private static readonly ClientRequest SampleClient = new()
    {
        Host = "server.example.com",
        Path = "/chat",
        Key = SampleKey,
        Origin = "http://example.com",
        Subprotocols = ["chat", "superchat"],
    };

    private const string SampleAnswer =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n";

    [Fact]
    public void TheRequestIsByteExact() =>
        Assert.Equal(
            "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
            "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n",
            Written(output => ClientHandshake.WriteRequest(output, SampleClient)));

    [Fact]
    public void TheServerParsesAndAcceptsTheClientsRequest()
    {
        ClientRequest client = SampleClient with
        {
            Key = AcceptKey.NewKey(),
            Path = "/chat?room=1",
            Extensions = "permessage-deflate; client_max_window_bits",
            Headers = [new("Authorization", "Bearer t")],
        };
        UpgradeRequest request = ParseEverySplit(Written(output => ClientHandshake.WriteRequest(output, client)));

        Assert.Null(ServerHandshake.Validate(request));
        Assert.Equal("/chat", request.Path);
        Assert.Equal("room=1", request.Query);
        Assert.Equal(["chat", "superchat"], request.Subprotocols);
        Assert.Equal("client_max_window_bits", request.Extensions.Single().Parameters.Single().Name);
        Assert.Equal("Bearer t", request.Headers["Authorization"]);

        string answer = Written(output => ServerHandshake.WriteAccept(output, request, new HandshakeAccept { Subprotocol = "chat" }));
        HandshakeResponse response = ReadEverySplit(answer, client, OperationStatus.Done, trailing: "\u0081\u0002hi");
        Assert.Equal("chat", response.Subprotocol);
    }

    [Fact]
    public void TheSampleAnswerIsAcceptedWithTheKeyAlone()
    {
        HandshakeResponse response = ReadEverySplit(SampleAnswer, null, OperationStatus.Done);
        Assert.Equal(101, response.StatusCode);
        Assert.Equal("Switching Protocols", response.ReasonPhrase);
        Assert.Equal(new Version(1, 1), response.HttpVersion);
        Assert.Equal("chat", response.Subprotocol);
        Assert.Null(response.Extensions);
    }

    [Fact]
    public void AnIncompleteAnswerConsumesNothing()
    {
        byte[] bytes = Bytes(SampleAnswer);
        for (int length = 0; length < bytes.Length; length++)
        {
            var input = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.Equal(OperationStatus.NeedMoreData,
                ClientHandshake.TryReadResponse(ref input, SampleKey, HandshakeLimits.Default, out HandshakeResponse? response, out string? error));
            Assert.Null(response);
            Assert.Null(error);
            Assert.Equal(length, input.Length);
        }
    }

    [Fact]
    public void AWrongAcceptFails() =>
        AssertFails(SampleAnswer.Replace("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", StringComparison.Ordinal), "Accept");

    [Fact]
    public void AMissingAcceptFails() =>
        AssertFails(SampleAnswer.Replace("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "", StringComparison.Ordinal), "Accept");

    [Fact]
    public void AMissingUpgradeFails() =>
        AssertFails(SampleAnswer.Replace("Upgrade: websocket\r\n", "", StringComparison.Ordinal), "Upgrade: websocket");

    [Fact]
    public void AnUpgradeToSomethingElseFails() =>
        AssertFails(SampleAnswer.Replace("Upgrade: websocket", "Upgrade: websocket, h2c", StringComparison.Ordinal), "Upgrade: websocket");

    [Fact]
    public void AMissingConnectionUpgradeFails() =>
        AssertFails(SampleAnswer.Replace("Connection: Upgrade", "Connection: close", StringComparison.Ordinal), "Connection: Upgrade");

    [Fact]
    public void ASubprotocolThatWasNotOfferedFails() =>
        AssertFails(SampleAnswer.Replace("chat", "mqtt", StringComparison.Ordinal), "mqtt", SampleClient);

    [Fact]
    public void AnExtensionThatWasNotOfferedFails() =>
        AssertFails(SampleAnswer.Replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", StringComparison.Ordinal),
            "permessage-deflate", SampleClient);

    [Fact]
    public void AnOfferedExtensionIsAccepted()
    {
        string answer = SampleAnswer.Replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n", StringComparison.Ordinal);
        HandshakeResponse response = ReadEverySplit(answer, SampleClient with { Extensions = "permessage-deflate" }, OperationStatus.Done);
        Assert.Equal("permessage-deflate; server_no_context_takeover", response.Extensions);
    }

    [Fact]
    public void A403IsAnErrorThatKeepsTheStatusHeadersAndBody()
    {
        const string body = "origin not allowed";
        string answer = Written(output => ServerHandshake.WriteRejection(output, HandshakeRejection.Forbidden(body)));
        string head = answer[..^body.Length];

        HandshakeResponse response = ReadEverySplit(head, SampleClient, OperationStatus.InvalidData, trailing: body, errorPart: "403 Forbidden");
        Assert.Equal(403, response.StatusCode);
        Assert.Equal("Forbidden", response.ReasonPhrase);
        Assert.Equal("18", response.Headers["Content-Length"]);
    }

    [Theory]
    [InlineData("HTTP/1.1 101\r\n\r\n", "101")]
    [InlineData("HTTP/1.1 200 \r\n\r\n", "200")]
    public void AStatusLineWithoutReasonPhraseParses(string answer, string code) =>
        Assert.Equal(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture),
            ReadEverySplit(answer, null, OperationStatus.InvalidData).StatusCode);

    [Theory]
    [InlineData("HTTP/1.1 1O1 Switching\r\n\r\n")]
    [InlineData("HTTP/2.0 101 Switching\r\n\r\n")]
    [InlineData("HTTP/1.1 101Switching\r\n\r\n")]
    [InlineData("HTTP/1.1 99 Hm\r\n\r\n")]
    [InlineData("HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n")]
    [InlineData("ICY 200 OK\r\n\r\n")]
    public void AMalformedAnswerFailsWithoutAResponseAndConsumesNothing(string answer)
    {
        foreach (ReadOnlySequence<byte> split in SegmentedSequence.AllSplits(Bytes(answer)))
        {
            ReadOnlySequence<byte> input = split;
            Assert.Equal(OperationStatus.InvalidData,
                ClientHandshake.TryReadResponse(ref input, SampleKey, HandshakeLimits.Default, out HandshakeResponse? response, out string? error));
            Assert.Null(response);
            Assert.StartsWith("malformed response", error, StringComparison.Ordinal);
            Assert.Equal(split.Length, input.Length);
        }
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("a, a")]
    public void AnInvalidRequestIsRefusedBeforeWriting(string what)
    {
        ClientRequest request = what == "chat"
            ? SampleClient with { Path = "chat" }
            : SampleClient with { Subprotocols = ["a", "a"] };
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(output, request));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void AHeaderInjectionInTheRequestIsRefused() =>
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(),
            SampleClient with { Headers = [new("Cookie", "a=1\r\nHost: evil")] }));

    [Fact]
    public void ABadKeyIsRefused() =>
        Assert.Throws<ArgumentException>(() => ClientHandshake.WriteRequest(new ArrayBufferWriter<byte>(), SampleClient with { Key = "short" }));

    [Fact]
    public void EachRequestGetsAFreshKeyByDefault() =>
        Assert.NotEqual(new ClientRequest { Host = "h" }.Key, new ClientRequest { Host = "h" }.Key);

    private static void AssertFails(string answer, string errorPart, ClientRequest? offered = null) =>
        ReadEverySplit(answer, offered, OperationStatus.InvalidData, errorPart: errorPart);

    private static HandshakeResponse ReadEverySplit(string head, ClientRequest? offered, OperationStatus expected,
        string trailing = "", string? errorPart = null)
    {
        HandshakeResponse? first = null;
        foreach (ReadOnlySequence<byte> split in SegmentedSequence.AllSplits(Bytes(head + trailing)))
        {
            ReadOnlySequence<byte> input = split;
            OperationStatus status = offered is null
                ? ClientHandshake.TryReadResponse(ref input, SampleKey, HandshakeLimits.Default, out HandshakeResponse? response, out string? error)
                : ClientHandshake.TryReadResponse(ref input, offered, HandshakeLimits.Default, out response, out error);
            Assert.True(status == expected, $"{status}: {error}");
            Assert.NotNull(response);
            Assert.Equal(trailing, Encoding.Latin1.GetString(input.ToArray()));
            if (expected == OperationStatus.Done) Assert.Null(error);
            else Assert.Contains(errorPart ?? "", error, StringComparison.Ordinal);
            first ??= response;
            Assert.Equal(first.StatusCode, response.StatusCode);
            Assert.Equal(first.Headers, response.Headers);
        }
        return first!;
    }
}
