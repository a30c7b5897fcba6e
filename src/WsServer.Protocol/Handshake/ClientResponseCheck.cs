namespace WsServer.Protocol.Handshake;

/// <summary>The client's checks of the server's answer, in the order of RFC 6455 §4.1 ("the client MUST
/// validate the server's response as follows"); each failure is a short sentence.</summary>
internal static class ClientResponseCheck
{
    internal static string? Check(HandshakeResponse response, string key, ClientRequest? offered)
    {
        HttpHeaders headers = response.Headers;
        // §4.1 item 1: "If the status code received from the server is not 101, the client handles the
        // response per HTTP [RFC2616] procedures."
        if (response.StatusCode != 101)
            return $"the server answered {response.StatusCode} {response.ReasonPhrase} instead of 101 Switching Protocols".TrimEnd();

        // Item 2: "If the response lacks an |Upgrade| header field or the |Upgrade| header field contains a
        // value that is not an ASCII case-insensitive match for the value "websocket", the client MUST
        // _Fail the WebSocket Connection_."
        if (!string.Equals(headers["Upgrade"], "websocket", StringComparison.OrdinalIgnoreCase))
            return "the response has no 'Upgrade: websocket' header";

        // Item 3: "If the response lacks a |Connection| header field or the |Connection| header field
        // doesn't contain a token that is an ASCII case-insensitive match for the value "Upgrade", the
        // client MUST _Fail the WebSocket Connection_."
        if (!headers.ContainsToken("Connection", "Upgrade"))
            return "the response has no 'Connection: Upgrade' header";

        // Item 4: "If the response lacks a |Sec-WebSocket-Accept| header field or the
        // |Sec-WebSocket-Accept| contains a value other than the base64-encoded SHA-1 of the concatenation
        // of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with the string
        // "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" but ignoring any leading and trailing whitespace, the
        // client MUST _Fail the WebSocket Connection_."
        Span<char> expected = stackalloc char[AcceptKey.AcceptLength];
        AcceptKey.Compute(key, expected);
        string? accept = headers["Sec-WebSocket-Accept"];
        if (accept is null)
            return "the response has no Sec-WebSocket-Accept header";
        if (!expected.SequenceEqual(accept))
            return "the response's Sec-WebSocket-Accept does not match the key";

        // Item 5: "If the response includes a |Sec-WebSocket-Extensions| header field and this header field
        // indicates the use of an extension that was not present in the client's handshake ..., the client
        // MUST _Fail the WebSocket Connection_."
        if (!ExtensionListParser.TryParse(headers.GetValues("Sec-WebSocket-Extensions"), out List<ExtensionOffer> accepted))
            return "the response's Sec-WebSocket-Extensions header is malformed";
        if (accepted.Count > 0 && offered is not null)
        {
            ExtensionListParser.TryParse(offered.Extensions is null ? [] : [offered.Extensions], out List<ExtensionOffer> offers);
            foreach (ExtensionOffer extension in accepted)
            {
                if (!offers.Exists(offer => string.Equals(offer.Name, extension.Name, StringComparison.OrdinalIgnoreCase)))
                    return $"the server accepted the extension '{extension.Name}', which was not offered";
            }
        }

        // Item 6: "If the response includes a |Sec-WebSocket-Protocol| header field and this header field
        // indicates the use of a subprotocol that was not present in the client's handshake ..., the client
        // MUST _Fail the WebSocket Connection_."
        if (headers.CountOf("Sec-WebSocket-Protocol") > 1)
            return "the response has more than one Sec-WebSocket-Protocol header";
        if (response.Subprotocol is { } subprotocol && offered is not null
            && !offered.Subprotocols.Contains(subprotocol, StringComparer.Ordinal))
            return $"the server chose the subprotocol '{subprotocol}', which was not offered";
        return null;
    }
}
