using System.Buffers;

namespace WsServer.Protocol.Handshake;

/// <summary>An incremental HTTP/1.1 request parser (RFC 9112 §2-5) for the opening handshake.</summary>
public static class UpgradeRequestParser
{
    /// <summary>Parses a request head from <paramref name="input"/>, which may hold any prefix of it.
    /// Done: the head is parsed and <paramref name="input"/> is sliced past its blank line.
    /// NeedMoreData: nothing is consumed. InvalidData: <paramref name="rejection"/> says why (400, 431).</summary>
    public static OperationStatus TryParse(ref ReadOnlySequence<byte> input, HandshakeLimits limits,
        out UpgradeRequest? request, out HandshakeRejection? rejection) => throw new NotImplementedException();
}
