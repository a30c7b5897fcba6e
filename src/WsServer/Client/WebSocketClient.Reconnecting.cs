using System.Runtime.CompilerServices;
using System.Security.Authentication;

namespace WsServer.Client;

/// <content>Connecting again and again, as python-websockets' <c>async for ws in connect(uri)</c>.</content>
public sealed partial class WebSocketClient
{
    /// <summary>Yields a connected client, and a fresh one each time the next is asked for: receive until the
    /// close, and the loop connects again. An attempt that fails in a way that may change (nothing listening, a
    /// reset, a timeout, no answer, a status of 408, 429 or 5xx) is retried after a wait with exponential backoff and
    /// full jitter (<paramref name="reconnect"/>); one that will not change ends the enumeration with its exception
    /// (another refusal, such as 401, 403 or 404; an invalid answer to the upgrade; a certificate that is not valid;
    /// an option out of range).</summary>
    /// <remarks>
    /// <para>Each client is disposed (1001 if it is still open) when the next is asked for or the enumeration ends:
    /// use it only within its turn of the loop.</para>
    /// <para>A connection that lasted <see cref="WebSocketReconnectOptions.ResetAfter"/> starts the backoff again and
    /// the next connects at once; a shorter one waits as a failed attempt does. The waits run on
    /// <see cref="WebSocketClientOptions.TimeProvider"/>.</para>
    /// <para>Cancelling <paramref name="cancellationToken"/> ends the enumeration with
    /// <see cref="OperationCanceledException"/>, during a wait or an attempt.</para>
    /// </remarks>
    /// <example><code>
    /// await foreach (WebSocketClient client in WebSocketClient.ConnectForeverAsync(uri, cancellationToken: stop))
    /// {
    ///     WebSocketMessage message;
    ///     while ((message = await client.ReceiveAsync(stop)).Type != MessageType.Close)
    ///         Console.WriteLine(message.GetText());
    /// }
    /// </code></example>
    public static async IAsyncEnumerable<WebSocketClient> ConnectForeverAsync(Uri uri, WebSocketClientOptions? options = null,
        WebSocketReconnectOptions? reconnect = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= WebSocketClientOptions.Default;
        reconnect ??= WebSocketReconnectOptions.Default;
        reconnect.Validate();
        var backoff = new ReconnectBackoff(reconnect, Random.Shared);
        TimeProvider time = options.TimeProvider;
        while (true)
        {
            if (await ConnectOrRetryAsync(uri, options, cancellationToken).ConfigureAwait(false) is not { } client)
            {
                await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            long connectedAt = time.GetTimestamp();
            try
            {
                yield return client;
            }
            finally
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
            if (time.GetElapsedTime(connectedAt) >= reconnect.ResetAfter) backoff.Reset();
            else await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
        }
    }

    // The client, or null after a failure worth another attempt.
    private static async Task<WebSocketClient?> ConnectOrRetryAsync(Uri uri, WebSocketClientOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await ConnectAsync(uri, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && MayChange(ex))
        {
            return null;
        }
    }

    /// <summary>Whether a failure to connect may go away by itself: a server down, restarting or overloaded.</summary>
    internal static bool MayChange(Exception failure) => failure switch
    {
        // 408 Request Timeout, 429 Too Many Requests and 5xx say "later"; another status is the server's answer.
        WebSocketHandshakeException { StatusCode: { } status } => status is 408 or 429 or >= 500,
        // The server closed the connection without answering: a server going down or starting.
        WebSocketHandshakeException => true,
        AuthenticationException => false,
        System.Net.Sockets.SocketException or IOException or TimeoutException => true,
        _ => false,
    };
}
