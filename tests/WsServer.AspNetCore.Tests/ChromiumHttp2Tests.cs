using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using WsServer.AspNetCore.Tests.TestSupport;
using WsServer.Connections;
using WsServer.Tests.TestSupport;

namespace WsServer.AspNetCore.Tests;

/// <summary>A real Chromium uses RFC 8441 when the server offers it: its page comes over h2 (TLS, ALPN), and its
/// WebSockets to the same origin go as extended CONNECTs on that same connection. Read from the DevTools protocol
/// (each handshake's response status is HTTP/2's 200, never 101) and from the server (one TCP connection).</summary>
public sealed class ChromiumHttp2Tests
{
    private const int Sockets = 3;

    private const string Page = """
        <!doctype html><meta charset="utf-8"><title>h2</title>
        <script>
        window.answers = [];
        window.openSockets = (count) => {
          for (let i = 0; i < count; i++) {
            const ws = new WebSocket(`wss://${location.host}/where`);
            ws.onopen = () => ws.send(`socket ${i}`);
            ws.onmessage = (e) => { window.answers.push(e.data); ws.close(1000); };
          }
          return count;
        };
        </script>
        """;

    [Fact]
    public async Task ChromiumOpensItsWebSocketsOverOneHttp2Connection()
    {
        using var certificate = TestCertificate.Create();
        await using KestrelApp app = await KestrelApp.StartAsync(a =>
        {
            a.MapGet("/", () => Results.Content(Page, "text/html; charset=utf-8"));
            a.MapWebSocketHandler("/where", (message, connection) => HandleResult.Reply(
                $"{message.GetText()} {connection.GetHttpContext()!.Request.Protocol} {connection.GetHttpContext()!.Connection.Id}"));
        }, protocols: HttpProtocols.Http1AndHttp2, certificate: certificate);
        string origin = $"https://127.0.0.1:{app.Port}/";
        await using HeadlessChromium browser = HeadlessChromium.Open(origin, devTools: true, "--ignore-certificate-errors");

        using var devTools = new ClientWebSocket();
        await devTools.ConnectAsync(new Uri(await browser.PageDebuggerUrlAsync()), Timeouts.Token());
        var session = new DevTools(devTools);
        await session.CallAsync("Network.enable");
        await session.CallAsync("Page.reload"); // the page once more, now that DevTools watches the network
        Assert.True(await UntilAsync(async () => await session.EvaluateAsync("document.readyState") == "complete"
            && session.PageProtocol is not null));
        Assert.Equal("h2", session.PageProtocol);

        await session.EvaluateAsync($"openSockets({Sockets})");
        Assert.True(await UntilAsync(async () => await session.EvaluateAsync("answers.length") == $"{Sockets}"),
            "answers: " + await session.EvaluateAsync("JSON.stringify(answers)"));

        // DevTools saw each WebSocket's handshake answered with HTTP/2's 200 (RFC 8441 §5), none with 101.
        Assert.Equal(Enumerable.Repeat(200, Sockets), session.HandshakeStatuses);
        string[] answers = JsonSerializer.Deserialize<string[]>(await session.EvaluateAsync("JSON.stringify(answers)") ?? "[]")!;
        Assert.All(answers, a => Assert.Contains(" HTTP/2 ", a, StringComparison.Ordinal));
        // The server saw one TCP connection (Kestrel's connection id) carry every one of them.
        Assert.Single(answers.Select(a => a.Split(' ')[^1]).Distinct());
        Assert.True(await Timeouts.Eventually(() => app.Server.ConnectionCount == 0));
    }

    /// <summary>Polls the page until <paramref name="condition"/> holds or <see cref="Timeouts.Default"/> has passed.</summary>
    private static async Task<bool> UntilAsync(Func<Task<bool>> condition)
    {
        long deadline = Environment.TickCount64 + (long)Timeouts.Default.TotalMilliseconds;
        while (!await condition())
        {
            if (Environment.TickCount64 > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>A DevTools protocol session on the page: calls by id, with the Network domain's WebSocket handshake
    /// events gathered as they pass.</summary>
    private sealed class DevTools(ClientWebSocket socket)
    {
        private readonly SemaphoreSlim _one = new(1, 1);
        private int _id;

        public List<int> HandshakeStatuses { get; } = [];

        /// <summary>The protocol the page itself came over, as DevTools reports it.</summary>
        public string? PageProtocol { get; private set; }

        public async Task<JsonElement> CallAsync(string method, object? parameters = null)
        {
            await _one.WaitAsync();
            try
            {
                int id = ++_id;
                string call = JsonSerializer.Serialize(new { id, method, @params = parameters ?? new { } });
                await socket.SendAsync(Encoding.UTF8.GetBytes(call), WebSocketMessageType.Text, true, Timeouts.Token());
                while (true)
                {
                    JsonElement message = await HeadlessChromium.ReadJsonAsync(socket, Timeouts.Token());
                    if (message.TryGetProperty("id", out JsonElement answered) && answered.GetInt32() == id) return message;
                    if (!message.TryGetProperty("method", out JsonElement name)) continue;
                    JsonElement response = message.GetProperty("params").TryGetProperty("response", out JsonElement r) ? r : default;
                    if (name.GetString() == "Network.webSocketHandshakeResponseReceived") HandshakeStatuses.Add(response.GetProperty("status").GetInt32());
                    if (name.GetString() == "Network.responseReceived" && message.GetProperty("params").GetProperty("type").GetString() == "Document")
                        PageProtocol = response.GetProperty("protocol").GetString();
                }
            }
            finally
            {
                _one.Release();
            }
        }

        public async Task<string?> EvaluateAsync(string expression)
        {
            JsonElement answer = await CallAsync("Runtime.evaluate", new { expression, returnByValue = true });
            JsonElement result = answer.GetProperty("result").GetProperty("result");
            return result.TryGetProperty("value", out JsonElement value) ? value.ToString() : null;
        }
    }
}
