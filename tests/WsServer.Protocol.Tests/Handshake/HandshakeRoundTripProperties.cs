using System.Buffers;
using CsCheck;
using WsServer.Protocol.Handshake;
using WsServer.Protocol.Tests.TestSupport;
using static WsServer.Protocol.Tests.TestSupport.HttpHeads;

namespace WsServer.Protocol.Tests.Handshake;

/// <summary>RFC 6455 §4.1 and §4.2: whatever a client writes, split wherever the network splits it, the
/// server reads back field for field; and the server's answer satisfies the client.</summary>
public class HandshakeRoundTripProperties
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly Gen<string> Token = Gen.Char[TokenChars].Array[1, 12].Select(chars => new string(chars));

    // Visible ASCII, inner spaces and tabs, and obs-text; no leading or trailing whitespace, which the parser trims.
    private static readonly Gen<string> Value = Gen.OneOf(Gen.Char['!', '~'], Gen.Char[" \t"], Gen.Char['\u00a0', '\u00ff'])
        .Array[0, 30].Select(chars => new string(chars).Trim(' ', '\t'));

    private static readonly Gen<string> Path = Gen.Char["abcXYZ019-._~%!$&'()*+,;=:@/?"].Array[0, 40]
        .Select(chars => "/" + new string(chars));

    private static readonly Gen<ClientRequest> Request =
        Gen.Select(Token, Path, Token.Array[0, 4], Gen.Select(Token, Value).Array[0, 15], Gen.Bool,
            (host, path, subprotocols, fields, withOrigin) => new ClientRequest
            {
                Host = host,
                Path = path,
                Subprotocols = subprotocols.Distinct(StringComparer.Ordinal).ToArray(),
                Origin = withOrigin ? "https://" + host : null,
                Headers = fields.Select(field => new KeyValuePair<string, string>("X-" + field.Item1, field.Item2)).ToArray(),
            });

    private static readonly Gen<int[]> Cuts = Gen.Int[0, 4096].Array[0, 8];

    [Fact]
    public void AWrittenRequestSplitAnywhereParsesBackToTheSameFields() =>
        Gen.Select(Request, Cuts).Sample((client, cuts) =>
        {
            ReadOnlySequence<byte> input = Split(Bytes(Written(output => ClientHandshake.WriteRequest(output, client))), cuts);
            Assert.Equal(OperationStatus.Done, UpgradeRequestParser.TryParse(ref input, HandshakeLimits.Default,
                out UpgradeRequest? request, out HandshakeRejection? rejection));
            Assert.Null(rejection);
            Assert.Equal(0, input.Length);

            Assert.Null(ServerHandshake.Validate(request!));
            Assert.Equal(client.Path, request!.Target);
            int question = client.Path.IndexOf('?', StringComparison.Ordinal);
            Assert.Equal(question < 0 ? client.Path : client.Path[..question], request.Path);
            Assert.Equal(question < 0 ? "" : client.Path[(question + 1)..], request.Query);
            Assert.Equal(client.Host, request.Host);
            Assert.Equal(client.Origin, request.Origin);
            Assert.Equal(client.Key, request.Headers["Sec-WebSocket-Key"]);
            Assert.Equal(client.Subprotocols, request.Subprotocols);
            Assert.Equal(client.Headers, request.Headers.Where(field => field.Key.StartsWith("X-", StringComparison.Ordinal)));
        }, iter: 300);

    [Fact]
    public void TheServersAnswerSplitAnywhereSatisfiesTheClient() =>
        Gen.Select(Request, Cuts, Gen.Int[0, 3]).Sample((client, cuts, choice) =>
        {
            UpgradeRequest request = ParseEverySplit(Written(output => ClientHandshake.WriteRequest(output, client)));
            string? subprotocol = choice < client.Subprotocols.Count ? client.Subprotocols[choice] : null;
            byte[] answer = Bytes(Written(output => ServerHandshake.WriteAccept(output, request, new HandshakeAccept { Subprotocol = subprotocol })));

            ReadOnlySequence<byte> input = Split(answer, cuts);
            Assert.Equal(OperationStatus.Done, ClientHandshake.TryReadResponse(ref input, client, HandshakeLimits.Default,
                out HandshakeResponse? response, out string? error));
            Assert.Null(error);
            Assert.Equal(subprotocol, response!.Subprotocol);
        }, iter: 100);

    private static ReadOnlySequence<byte> Split(byte[] bytes, int[] cuts)
    {
        int[] points = [0, .. cuts.Select(cut => cut % (bytes.Length + 1)).Order().Distinct(), bytes.Length];
        byte[][] chunks = points.Zip(points.Skip(1)).Select(pair => bytes[pair.First..pair.Second]).ToArray();
        return SegmentedSequence.Create(chunks);
    }
}
