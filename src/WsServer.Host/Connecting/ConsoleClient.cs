using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Text;
using WsServer.Client;
using WsServer.Connections;
using WsServer.Extensions.Hosting;
using WsServer.Host.Cli;
using WsServer.Host.Exits;
using WsServer.Host.Serving;
using WsServer.Protocol.Closing;

namespace WsServer.Host.Connecting;

/// <summary>The terminal side of <c>wsserver connect</c>: each line of input is sent as a text message,
/// each message received is printed (text as it is, binary as its length and hex); end of input closes
/// with 1000. A failure to connect is one line naming it, and a non-zero exit.</summary>
internal sealed class ConsoleClient(TextReader input, TextWriter output, TextWriter error)
{
    /// <summary>The most bytes of a binary message printed in hex; the rest is elided.</summary>
    private const int HexShown = 64;

    public async Task<int> RunAsync(Uri uri, WebSocketClientOptions options, CancellationToken cancellationToken)
    {
        WebSocketClient client;
        try
        {
            client = await WebSocketClient.ConnectAsync(uri, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Describe(ex, uri) is { } message)
        {
            await error.WriteLineAsync($"wsserver connect: {message}").ConfigureAwait(false);
            return ex is ArgumentException ? ExitCodes.Usage : ExitCodes.ConnectFailure;
        }

        await using (client.ConfigureAwait(false))
        {
            // Ctrl+C or SIGTERM closes the connection, as the end of input does, instead of killing the process.
            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnSignal(PosixSignalContext context) => context.Cancel = signal.TrySetResult();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            await error.WriteLineAsync($"connected to {uri}{Details(client)}; type lines to send, Ctrl+D to close").ConfigureAwait(false);
            Task<WebSocketMessage> printing = PrintAsync(client, cancellationToken);
            // Console.In reads synchronously even through ReadLineAsync: off this thread, so the server's
            // close or a signal ends the program while a read of the input is still waiting.
            Task typing = Task.Run(() => SendLinesAsync(client, cancellationToken), cancellationToken);
            // End of input, or Ctrl+C / SIGTERM: the closing handshake; the printing loop prints what the
            // server sent before its answer, then reads the answer. The server's close ends the printing
            // loop first; a pending read of the input is then left.
            if (await Task.WhenAny(printing, typing, signal.Task).ConfigureAwait(false) != printing)
            {
                await client.SendCloseAsync(CloseCode.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                if (await Task.WhenAny(printing, Task.Delay(options.CloseTimeout, cancellationToken)).ConfigureAwait(false) != printing)
                {
                    await error.WriteLineAsync($"wsserver connect: {uri} did not answer the close within {options.CloseTimeout.TotalSeconds:0} s").ConfigureAwait(false);
                    return ExitCodes.ConnectFailure;
                }
            }
            WebSocketMessage close = await printing.ConfigureAwait(false);
            return await EndedAsync(close, client).ConfigureAwait(false);
        }
    }

    /// <summary>Sends each line of input until its end, or until the connection no longer takes messages.</summary>
    private async Task SendLinesAsync(WebSocketClient client, CancellationToken cancellationToken)
    {
        try
        {
            while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                await client.SendAsync(line, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // Closed or cut meanwhile: the printing loop reports how.
        }
    }

    private async Task<WebSocketMessage> PrintAsync(WebSocketClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            WebSocketMessage message = await client.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            switch (message.Type)
            {
                case MessageType.Text:
                    await output.WriteLineAsync(message.GetText()).ConfigureAwait(false);
                    break;
                case MessageType.Binary:
                    await output.WriteLineAsync(Hex(message.Payload.Span)).ConfigureAwait(false);
                    break;
                default:
                    return message;
            }
        }
    }

    private async Task<int> EndedAsync(WebSocketMessage close, WebSocketClient client)
    {
        string code = close.CloseCode is { } value ? ((int)value).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no status";
        string reason = close.Payload.IsEmpty ? "" : $" ({close.GetText()})";
        if (close.CloseCode is CloseCode.NormalClosure or CloseCode.GoingAway or null)
        {
            await error.WriteLineAsync($"closed with {code}{reason}").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        await error.WriteLineAsync(close.CloseCode == CloseCode.AbnormalClosure
            ? $"wsserver connect: the connection to {client.Uri} was lost without a close"
            : $"wsserver connect: the connection closed with {code}{reason}").ConfigureAwait(false);
        return ExitCodes.ConnectFailure;
    }

    /// <summary>"[binary, N bytes] 0a 1b ...".</summary>
    internal static string Hex(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder($"[binary, {data.Length} bytes]");
        foreach (byte b in data[..Math.Min(data.Length, HexShown)]) text.Append(' ').Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        if (data.Length > HexShown) text.Append(" ...");
        return text.ToString();
    }

    private static string Details(WebSocketClient client)
    {
        var text = new StringBuilder();
        if (client.Subprotocol is { } subprotocol) text.Append($", subprotocol {subprotocol}");
        if (client.Compression is not null) text.Append(", permessage-deflate");
        return text.ToString();
    }

    /// <summary>The refusal's body after a colon, on the same line: its lines joined, cut at 200 characters.</summary>
    private static string Explained(string? body)
    {
        string text = string.Join(' ', (body ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (text.Length > 200) text = text[..200] + "...";
        return text.Length == 0 ? "" : ": " + text;
    }

    /// <summary>One line for a failure to connect; null for one that is not (it is not caught).</summary>
    private static string? Describe(Exception ex, Uri uri)
    {
        string endpoint = $"{uri.Host}:{(uri.IsDefaultPort ? (uri.Scheme == "wss" ? 443 : 80) : uri.Port)}";
        return ex switch
        {
            WebSocketHandshakeException { Response: { StatusCode: not 101 } response } refusal =>
                $"the server refused the WebSocket handshake with {response.StatusCode} {response.ReasonPhrase}".TrimEnd()
                + Explained(refusal.ResponseBody),
            WebSocketHandshakeException handshake => handshake.Message,
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => $"connection refused: nothing listens on {endpoint}",
            SocketException socket => $"cannot connect to {endpoint}: {socket.Message}",
            AuthenticationException tls => $"TLS with {endpoint} failed: {tls.Message} (--insecure accepts a self-signed certificate)",
            TimeoutException timeout => timeout.Message,
            IOException io => $"the connection to {endpoint} failed: {io.Message}",
            ArgumentException argument => UserMessage.Of(argument),
            _ => null,
        };
    }
}
