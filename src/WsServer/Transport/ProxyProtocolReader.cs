using System.Buffers;

namespace WsServer.Transport;

/// <summary>Reads a PROXY protocol header from the start of a connection (before TLS) and returns a
/// stream that yields whatever followed it, so nothing read past the header is lost.</summary>
internal static class ProxyProtocolReader
{
    /// <summary>The header and the stream after it; null when the connection sent no valid header or
    /// ended first. The caller bounds the wait with <paramref name="cancellationToken"/>.</summary>
    public static async Task<(ProxyHeader Header, Stream Remainder)?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ProxyProtocolParser.MaxV2Length);
        try
        {
            int filled = 0;
            while (filled < buffer.Length)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) return null;
                filled += read;
                switch (ProxyProtocolParser.TryParse(buffer.AsSpan(0, filled), out ProxyHeader header, out int consumed))
                {
                    case OperationStatus.Done:
                        return (header, new PrefixedStream(buffer.AsSpan(consumed, filled - consumed).ToArray(), stream));
                    case OperationStatus.InvalidData:
                        return null;
                }
            }
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
