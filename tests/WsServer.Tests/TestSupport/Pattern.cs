using System.Net.WebSockets;

namespace WsServer.Tests.TestSupport;

/// <summary>A message of any length made up on the fly and checked as it arrives, so a test can stream
/// hundreds of megabytes without holding them: byte i is a function of i.</summary>
public static class Pattern
{
    public static byte At(long i) => (byte)((i * 31) ^ (i >> 11));

    public static void Fill(Span<byte> destination, long offset)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = At(offset + i);
    }

    /// <summary>True when <paramref name="bytes"/> are the pattern's from <paramref name="offset"/>.</summary>
    public static bool Matches(ReadOnlySpan<byte> bytes, long offset)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != At(offset + i)) return false;
        }
        return true;
    }

    /// <summary>Sends <paramref name="length"/> bytes of the pattern as one binary message in frames of
    /// <paramref name="frame"/> bytes (FIN on the last only).</summary>
    public static async Task SendAsync(WebSocket socket, long length, int frame, CancellationToken cancellationToken)
    {
        var buffer = new byte[frame];
        long sent = 0;
        do
        {
            int count = (int)Math.Min(frame, length - sent);
            Fill(buffer.AsSpan(0, count), sent);
            sent += count;
            await socket.SendAsync(buffer.AsMemory(0, count), WebSocketMessageType.Binary, sent == length, cancellationToken);
        }
        while (sent < length);
    }

    /// <summary>Receives one message, checking it against the pattern as it arrives; returns its length, or
    /// -1 at the first byte that differs.</summary>
    public static async Task<long> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long received = 0;
        bool matches = true;
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            matches &= Matches(buffer.AsSpan(0, result.Count), received);
            received += result.Count;
            if (result.EndOfMessage) return matches ? received : -1;
        }
    }
}
