using System.Buffers;
using System.Text;

namespace WsServer.Protocol.Handshake;

/// <summary>Writes the pieces of an HTTP/1.1 head straight into an <see cref="IBufferWriter{T}"/>;
/// callers validate the text first (<see cref="HttpSyntax.EnsureWritableField"/>).</summary>
internal static class HeadWriter
{
    /// <summary>Writes Latin-1 text, one byte per char.</summary>
    internal static void Write(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return;
        Span<byte> span = output.GetSpan(text.Length);
        int written = Encoding.Latin1.GetBytes(text, span);
        output.Advance(written);
    }

    internal static void Write(IBufferWriter<byte> output, int number)
    {
        Span<byte> span = output.GetSpan(11);
        number.TryFormat(span, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>Writes <c>name: value CRLF</c>.</summary>
    internal static void WriteField(IBufferWriter<byte> output, ReadOnlySpan<char> name, ReadOnlySpan<char> value)
    {
        Write(output, name);
        output.Write(": "u8);
        Write(output, value);
        output.Write("\r\n"u8);
    }

    /// <summary>The reason phrases of RFC 9110 §15 for the statuses a handshake answers with.</summary>
    internal static string ReasonPhrase(int statusCode) => statusCode switch
    {
        101 => "Switching Protocols",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        414 => "URI Too Long",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };
}
