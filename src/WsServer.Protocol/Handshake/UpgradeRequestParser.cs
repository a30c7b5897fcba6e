using System.Buffers;
using System.Text;

namespace WsServer.Protocol.Handshake;

/// <summary>An incremental HTTP/1.1 request parser (RFC 9112 §2-5) for the opening handshake.</summary>
/// <remarks>Strict where leniency would let two parsers disagree: lines end with CRLF (a bare LF is 400),
/// the request line is three words separated by single spaces; obs-fold, whitespace before a colon, a field
/// name that is not a token and more than one <c>Host</c> are 400. The request target is origin-form (<c>/chat?room=1</c>) or, as RFC 6455 §4.2.1 item 1 allows,
/// an absolute http/https URI, whose path and query are used; authority-form and asterisk-form are 400.
/// A version other than HTTP/1.x is 505; HTTP/1.0 parses, and <see cref="ServerHandshake.Validate"/>
/// refuses it. The head is decoded as Latin-1.</remarks>
public static class UpgradeRequestParser
{
    private static readonly HttpHeadReader.StartLineParser<RequestLine> ParseRequestLineDelegate = ParseRequestLine;

    /// <summary>The answer to a request with two <c>Host</c> fields, from the parser and from
    /// <see cref="ServerHandshake.Validate"/> alike.</summary>
    internal static HandshakeRejection MoreThanOneHost => HandshakeRejection.BadRequest("more than one Host header");

    /// <summary>Parses a request head from <paramref name="input"/>, which may hold any prefix of it.
    /// Done: the head is parsed and <paramref name="input"/> is sliced past its blank line (bytes after it,
    /// such as a first frame, stay in <paramref name="input"/>).
    /// NeedMoreData: nothing is consumed. InvalidData: nothing is consumed; <paramref name="rejection"/> says
    /// why (400; 431 or 414 over <paramref name="limits"/>; 505 for another HTTP major version).</summary>
    public static OperationStatus TryParse(ref ReadOnlySequence<byte> input, HandshakeLimits limits,
        out UpgradeRequest? request, out HandshakeRejection? rejection)
    {
        ReadOnlySequence<byte> received = input;
        OperationStatus status = HttpHeadReader.TryRead(ref input, limits, ParseRequestLineDelegate,
            out RequestLine line, out HttpHeaders? headers, out rejection);
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request
        // message that lacks a Host header field and to any request message that contains more than one Host
        // header field line". More than one is refused here, for any request (a lacking Host is the
        // upgrade's rule, in ServerHandshake.Validate: HTTP/1.0 may lack it).
        if (status == OperationStatus.Done && headers!.CountOf("Host") > 1)
        {
            input = received;
            rejection = MoreThanOneHost;
            status = OperationStatus.InvalidData;
        }
        request = status == OperationStatus.Done
            ? new UpgradeRequest
            {
                Method = line.Method,
                Target = line.Target,
                Path = line.Path,
                Query = line.Query,
                HttpVersion = line.Version,
                Headers = headers!,
            }
            : null;
        return status;
    }

    private readonly record struct RequestLine(string Method, string Target, string Path, string Query, Version Version);

    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
    private static HandshakeRejection? ParseRequestLine(ReadOnlySpan<byte> line, out RequestLine start)
    {
        start = default;
        int space = line.IndexOf((byte)' ');
        if (space < 0)
            return HandshakeRejection.BadRequest("the request line is not 'method target version'");
        ReadOnlySpan<byte> method = line[..space];
        ReadOnlySpan<byte> rest = line[(space + 1)..];
        space = rest.IndexOf((byte)' ');
        if (space < 0)
            return HandshakeRejection.BadRequest("the request line is not 'method target version'");
        ReadOnlySpan<byte> target = rest[..space];
        ReadOnlySpan<byte> version = rest[(space + 1)..];

        // RFC 9110 §9.1: method = token
        if (!HttpSyntax.IsToken(method))
            return HandshakeRejection.BadRequest("the method is not a token");
        if (!HttpSyntax.TryParseVersion(version, out Version httpVersion))
            return HandshakeRejection.BadRequest("the HTTP version is not HTTP/d.d");
        // RFC 9110 §15.6.6: 505 "indicates that the server does not support ... the major version of HTTP
        // that was used in the request message."
        if (httpVersion.Major != 1)
            return new HandshakeRejection(505, "only HTTP/1.1 can be upgraded to WebSocket");
        HandshakeRejection? targetError = SplitTarget(target, out int pathStart, out int queryStart);
        if (targetError is not null) return targetError;

        string targetText = Encoding.ASCII.GetString(target);
        string path = pathStart < 0 ? "/" : targetText[pathStart..(queryStart < 0 ? targetText.Length : queryStart)];
        string query = queryStart < 0 ? "" : targetText[(queryStart + 1)..];
        string methodText = method.SequenceEqual("GET"u8) ? "GET" : Encoding.ASCII.GetString(method);
        start = new RequestLine(methodText, targetText, path, query, httpVersion);
        return null;
    }

    // RFC 9112 §3.2: request-target = origin-form / absolute-form / authority-form / asterisk-form
    private static HandshakeRejection? SplitTarget(ReadOnlySpan<byte> target, out int pathStart, out int queryStart)
    {
        pathStart = queryStart = -1;
        if (target.IsEmpty)
            return HandshakeRejection.BadRequest("the request target is empty");
        // RFC 3986 §2: a URI is visible US-ASCII; '#' starts a fragment, never sent in a request (RFC 9112 §3.2).
        if (target.IndexOfAnyExceptInRange((byte)'!', (byte)'~') >= 0 || target.Contains((byte)'#'))
            return HandshakeRejection.BadRequest("the request target holds a character not allowed in a URI");
        int question = target.IndexOf((byte)'?');
        if (target[0] == (byte)'/')
        {
            pathStart = 0;
        }
        else
        {
            // RFC 6455 §4.2.1 item 1: "(or an absolute HTTP/HTTPS URI containing the /resource name/)".
            int authority = StartsWithIgnoreCase(target, "http://"u8) ? 7 : StartsWithIgnoreCase(target, "https://"u8) ? 8 : -1;
            if (authority < 0)
                return HandshakeRejection.BadRequest("the request target is neither a path nor an absolute http(s) URI");
            int slash = target[authority..].IndexOf((byte)'/');
            pathStart = slash < 0 ? -1 : authority + slash;
            if (pathStart >= 0 && question >= 0 && question < pathStart) pathStart = -1;
        }
        queryStart = question;
        return null;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);
}
