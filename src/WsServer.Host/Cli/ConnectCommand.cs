using System.CommandLine;
using WsServer.Client;
using WsServer.Host.Connecting;
using WsServer.Host.Exits;

namespace WsServer.Host.Cli;

/// <summary><c>wsserver connect URL</c>: a client for people. Its flags, and the options they make.</summary>
internal static class ConnectCommand
{
    public static Command Create(TextReader input, TextWriter output, TextWriter error)
    {
        var url = new Argument<string>("url") { Description = "The server: ws://HOST:PORT/PATH or wss://HOST:PORT/PATH." };
        var header = new Option<string[]>("--header", "-H")
        {
            Description = "A request header, NAME:VALUE; repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var subprotocol = new Option<string[]>("--subprotocol")
        {
            Description = "A subprotocol to offer; repeatable, most preferred first.",
            AllowMultipleArgumentsPerToken = false,
        };
        var insecure = new Option<bool>("--insecure", "-k") { Description = "For wss://, accept any certificate (a self-signed one)." };
        var origin = new Option<string>("--origin") { Description = "The Origin header to send, as a browser on that page would." };
        var noCompression = new Option<bool>("--no-compression") { Description = "Do not offer permessage-deflate." };

        var command = new Command("connect",
            "Connect to a WebSocket server: lines typed are sent as text, messages received are printed; end of input (Ctrl+D) closes with 1000.")
        {
            url, header, subprotocol, origin, insecure, noCompression,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!TryParseUrl(result.GetValue(url)!, out Uri? uri))
                return await UsageAsync(error, $"'{result.GetValue(url)}' is not a ws:// or wss:// URL").ConfigureAwait(false);
            List<KeyValuePair<string, string>> headers = [];
            foreach (string field in result.GetValue(header) ?? [])
            {
                int colon = field.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                    return await UsageAsync(error, $"--header '{field}' is not NAME:VALUE").ConfigureAwait(false);
                headers.Add(new(field[..colon].Trim(), field[(colon + 1)..].Trim()));
            }
            var options = new WebSocketClientOptions
            {
                Headers = headers,
                Subprotocols = result.GetValue(subprotocol) ?? [],
                Origin = result.GetValue(origin),
                AcceptAnyCertificate = result.GetValue(insecure),
                Compression = !result.GetValue(noCompression),
            };
            return await new ConsoleClient(input, output, error).RunAsync(uri, options, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static bool TryParseUrl(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(text, UriKind.Absolute, out uri) && uri.Scheme is "ws" or "wss" && uri.Host.Length > 0;

    private static async Task<int> UsageAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"wsserver connect: {message}").ConfigureAwait(false);
        return ExitCodes.Usage;
    }
}
