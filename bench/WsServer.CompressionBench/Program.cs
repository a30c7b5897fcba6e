using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using WsServer.Connections;
using WsServer.Hosting;
using WsServer.Protocol.Compression;

// permessage-deflate figures for docs/compression.md (run each mode in its own process: RSS never shrinks).
//   memory MODE N          N idle connections that each exchanged one compressed 4 KiB message;
//                          prints the server process's RSS growth per connection.
//   echo MODE SIZE SECONDS one ClientWebSocket echoing SIZE-byte JSON-like text for SECONDS.
// MODE: plain (compression declined), default (the defaults: the server's compressor reset and pooled,
//       the client's context kept), takeover (both contexts kept), no-takeover (both reset, pooled).
if (args.Length < 3) return Usage();
string mode = args[1];
if (mode is not ("plain" or "default" or "takeover" or "no-takeover")) return Usage();
var options = new ServerOptions
{
    Port = 0,
    Address = IPAddress.Loopback,
    Workers = 100_000,
    Compression = mode switch
    {
        "plain" => PerMessageDeflateOptions.Disabled,
        "default" => PerMessageDeflateOptions.Default,
        "takeover" => new PerMessageDeflateOptions { ServerNoContextTakeover = false },
        _ => new PerMessageDeflateOptions { ServerNoContextTakeover = true, ClientNoContextTakeover = true },
    },
};
options.UseHandler(new Echo());
await using var server = new WebSocketServer(options);
await server.StartAsync();
int port = server.LocalEndPoints[0].Port;
int count = int.Parse(args[2], CultureInfo.InvariantCulture);
return args[0] switch
{
    "memory" => await MemoryAsync(port, mode, count),
    "echo" when args.Length == 4 => await EchoAsync(port, mode, count, int.Parse(args[3], CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: memory MODE N | echo MODE SIZE SECONDS, MODE: plain|default|takeover|no-takeover");
    return 2;
}

static async Task<int> MemoryAsync(int port, string mode, int n)
{
    byte[] text = JsonLike(4096);
    byte[] frame = ClientFrame(mode == "plain" ? text : Deflate(text), compressed: mode != "plain");
    string offer = mode == "plain" ? "" : "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    Settle();
    long before = Rss();
    var clients = new List<Socket>(n);
    var buffer = new byte[64 * 1024];
    for (int i = 0; i < n; i++)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{offer}\r\n"));
        await ReadUntilAsync(socket, buffer, "\r\n\r\n"u8.ToArray());
        await socket.SendAsync(frame);
        await socket.ReceiveAsync(buffer); // the echo (one segment is enough to know it was sent)
        if (i == 0 && (buffer[0] & 0x0F) != 1) throw new InvalidOperationException($"no echo: {Convert.ToHexString(buffer, 0, 48)}");
        if (i == 0) Console.WriteLine($"first echo compressed (RSV1): {(buffer[0] & 0x40) != 0}");
        clients.Add(socket);
    }
    await Task.Delay(500);
    Settle();
    long after = Rss();
    Console.WriteLine($"mode={mode} connections={n} rss_before={before / 1024} KiB rss_after={after / 1024} KiB " +
                      $"per_connection={(after - before) / n / 1024.0:F1} KiB");
    foreach (Socket socket in clients) socket.Dispose();
    return 0;
}

static async Task<int> EchoAsync(int port, string mode, int size, int seconds)
{
    using var client = new ClientWebSocket();
    if (mode != "plain")
    {
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions
        {
            ClientContextTakeover = mode is "takeover" or "default",
            ServerContextTakeover = mode == "takeover",
        };
    }
    await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), CancellationToken.None);
    byte[] message = JsonLike(size);
    var receive = new byte[size + 1024];
    long messages = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        await client.SendAsync(message, System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        int received = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await client.ReceiveAsync(receive.AsMemory(received), CancellationToken.None);
            received += result.Count;
        } while (!result.EndOfMessage);
        if (received != size) throw new InvalidOperationException("short echo");
        messages++;
    }
    double elapsed = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"mode={mode} size={size} echoes/s={messages / elapsed:F0} payload_MiB/s={messages * size / elapsed / (1024 * 1024):F1}");
    await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    return 0;
}

static byte[] JsonLike(int size)
{
    var text = new StringBuilder(size + 128);
    for (int i = 0; text.Length < size; i++)
        text.Append(CultureInfo.InvariantCulture, $"{{\"id\":{i},\"symbol\":\"EUR/USD\",\"bid\":1.{10_000 + i * 7 % 9973},\"ask\":1.{10_003 + i * 7 % 9973},\"venue\":\"XLON\"}}\n");
    return Encoding.ASCII.GetBytes(text.ToString(0, size));
}

static byte[] Deflate(byte[] message)
{
    using var buffer = new MemoryStream();
    using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
    {
        deflate.Write(message);
        deflate.Flush();
    }
    // Disposing wrote a final block after the sync flush: cut at the flush's 00 00 FF FF.
    byte[] bytes = buffer.ToArray();
    return bytes[..bytes.AsSpan().LastIndexOf(PayloadInflater.FlushTail)];
}

static byte[] ClientFrame(byte[] payload, bool compressed)
{
    var frame = new List<byte> { (byte)(0x81 | (compressed ? 0x40 : 0)) };
    if (payload.Length <= 125) frame.Add((byte)(0x80 | payload.Length));
    else { frame.Add(0x80 | 126); frame.Add((byte)(payload.Length >> 8)); frame.Add((byte)payload.Length); }
    frame.AddRange(new byte[4]); // a zero masking key: the payload goes as is
    frame.AddRange(payload);
    return [.. frame];
}

static async Task ReadUntilAsync(Socket socket, byte[] buffer, byte[] end)
{
    int length = 0;
    while (buffer.AsSpan(0, length).IndexOf(end) < 0)
    {
        int read = await socket.ReceiveAsync(buffer.AsMemory(length));
        if (read == 0) throw new IOException("closed during the handshake");
        length += read;
    }
}

static void Settle()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
}

static long Rss()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    return 0;
}

internal sealed class Echo : IWebSocketHandler<int>
{
    public ValueTask<int> InitAsync(WebSocketConnection connection, CancellationToken cancellationToken) => new(0);

    public ValueTask<HandleResult<int>> HandleAsync(WebSocketMessage message, int state, CancellationToken cancellationToken) =>
        new(HandleResult.Reply(state, message));
}
