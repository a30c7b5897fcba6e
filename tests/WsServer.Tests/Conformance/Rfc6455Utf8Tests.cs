using WsServer.Tests.TestHandlers;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Conformance;

/// <summary>RFC 6455 §5.6 and §8.1: text must be valid UTF-8 (RFC 3629), checked with the sequences of
/// Markus Kuhn's UTF-8 decoder stress test, whole and split at every byte across fragments, and failed
/// as soon as the bad bytes arrive (§8.1: "When an endpoint is to interpret a byte stream as UTF-8 but
/// finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the
/// WebSocket Connection_").</summary>
public sealed class Rfc6455Utf8Tests
{
    /// <summary>Kuhn §1-§2 and §5.3: valid, including boundaries and noncharacters.</summary>
    public static TheoryData<string> Valid =>
    [
        "ce ba e1 bd b9 cf 83 ce bc ce b5",  // 1: "κόσμε"
        "00", "c2 80", "e0 a0 80", "f0 90 80 80",  // 2.1 first of each length
        "7f", "df bf", "ef bf bf", "f4 8f bf bf",  // 2.2 last of each length (within U+10FFFF)
        "ed 9f bf", "ee 80 80", "ef bf bd", "f4 80 80 80",  // 2.3 other boundaries (U+100000: the first F4 lead)
        "ef bf be", "ef b7 90", "ef b7 af", "f0 9f bf bf",  // 5.3 noncharacters are valid
    ];

    /// <summary>Kuhn §2.2-§5.2: invalid.</summary>
    public static TheoryData<string> Invalid =>
    [
        "f8 88 80 80 80", "fc 84 80 80 80 80", "f7 bf bf bf", "fb bf bf bf bf", "fd bf bf bf bf bf", "f4 90 80 80",  // 2.x beyond U+10FFFF
        "80", "bf", "80 bf", "80 bf 80", "80 bf 80 bf", "80 bf 80 bf 80 bf 80",  // 3.1 unexpected continuation
        "c0 20", "df 20", "e0 20", "ef 20", "f0 20", "f7 20", "f8 20", "fb 20", "fc 20", "fd 20",  // 3.2 lonely start
        "c0", "e0 80", "f0 80 80", "df", "ef bf", "f7 bf bf",  // 3.3 last byte missing
        "c0 e0 80 f0 80 80 df ef bf f7 bf bf",  // 3.4 concatenation
        "fe", "ff", "fe fe ff ff",  // 3.5 impossible bytes
        "c0 af", "e0 80 af", "f0 80 80 af", "f8 80 80 80 af", "fc 80 80 80 80 af",  // 4.1 overlong "/"
        "c1 bf", "e0 9f bf", "f0 8f bf bf",  // 4.2 maximum overlong
        "c0 80", "e0 80 80", "f0 80 80 80",  // 4.3 overlong NUL
        "ed a0 80", "ed ad bf", "ed ae 80", "ed af bf", "ed b0 80", "ed be 80", "ed bf bf",  // 5.1 single surrogates
        "ed a0 80 ed b0 80", "ed ad bf ed bf bf", "ed af bf ed bf bf",  // 5.2 paired surrogates
    ];

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task Rfc6455_8_1_ValidSequencesAreEchoedWholeAndSplitAtEveryByte(string hex)
    {
        byte[] text = Bytes(hex);
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        for (int split = 0; split <= text.Length; split++)
        {
            await client.SendAsync([.. ClientFrame.Build(1, text[..split], fin: false), .. ClientFrame.Build(0, text[split..])], chunk: 1);
            await client.ExpectMessageAsync(1, text);
        }
        await client.CloseNormallyAsync();
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Rfc6455_8_1_InvalidSequencesFailWith1007WholeAndSplitAtEveryByte(string hex)
    {
        byte[] text = Bytes(hex);
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        for (int split = 0; split <= text.Length; split++)
        {
            await using RawClient client = await RawClient.ConnectAsync(server.Port);
            await client.SendAsync([.. ClientFrame.Build(1, text[..split], fin: false), .. ClientFrame.Build(0, text[split..])]);
            await client.ExpectCloseAsync(1007);
        }
    }

    [Fact]
    public async Task Rfc6455_8_1_InvalidBytesFailAsSoonAsTheyArriveMidFrame()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);
        byte[] text = [.. "valid start "u8, 0xED, 0xA0, 0x80, .. new byte[1000]];
        byte[] frame = ClientFrame.Build(1, text);

        // The header and the bad bytes only; the other ~1000 bytes of the frame are never sent.
        await client.SendAsync(frame[..(8 + 15)]);

        await client.ExpectCloseAsync(1007);
    }

    [Fact]
    public async Task Rfc6455_8_1_InvalidBytesFailAsSoonAsTheyArriveInAFragmentedMessage()
    {
        await using TestServer server = await TestServer.StartAsync(new EchoHandler());
        await using RawClient client = await RawClient.ConnectAsync(server.Port);

        // A first fragment ending in a bad sequence; the message's final fragment never comes.
        await client.SendAsync(ClientFrame.Build(1, [.. "κόσμε"u8, 0xF4, 0x90], fin: false));

        await client.ExpectCloseAsync(1007);
    }
}
