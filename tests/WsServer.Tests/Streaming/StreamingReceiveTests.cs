using Microsoft.Extensions.Logging;
using System.Net.WebSockets;
using System.Text;
using WsServer.Connections;
using WsServer.Protocol.Closing;
using WsServer.Routing;
using WsServer.Tests.TestSupport;

namespace WsServer.Tests.Streaming;

/// <summary>RFC 6455 §5.4 on a route that streams messages (<see cref="WebSocketRouteOptions.StreamMessages"/>): the
/// handler reads a message as it arrives, with back-pressure to the socket, while control frames between its
/// fragments are answered.</summary>
public class StreamingReceiveTests
{
    private static readonly WebSocketRouteOptions Streaming = new() { StreamMessages = true, MaxMessageSize = 1L << 40 };

    /// <summary>Reads the whole body, checking it against <see cref="Pattern"/>; its length, or -1.</summary>
    private static async Task<long> ReadPatternAsync(WebSocketMessage message, CancellationToken ct)
    {
        long length = 0;
        bool matches = true;
        await foreach (ReadOnlyMemory<byte> part in message.ReadPartsAsync(ct))
        {
            matches &= Pattern.Matches(part.Span, length);
            length += part.Length;
        }
        return matches ? length : -1;
    }

    [Fact]
    public async Task Rfc6455_5_4_TheHandlerReadsTheFirstFragmentBeforeTheLastIsSent()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
        {
            Assert.True(message.IsStreamed);
            Assert.True(message.Payload.IsEmpty);
            var first = new byte[5];
            await message.Body.ReadExactlyAsync(first, ct);
            connection.TrySend("got " + Encoding.UTF8.GetString(first));
            string rest = await new StreamReader(message.Body).ReadToEndAsync(ct);
            return HandleResult.Reply("then" + rest);
        }, Streaming));
        await using RawClient client = await RawClient.ConnectAsync(server.Port, "/s");

        await client.SendAsync(ClientFrame.Text("Hello", fin: false));
        Assert.Equal("got Hello", (await client.ReadFrameAsync())!.Value.Text);
        await client.SendAsync(ClientFrame.Build(0, Encoding.UTF8.GetBytes(" world")));
        Assert.Equal("then world", (await client.ReadFrameAsync())!.Value.Text);
    }

    [Fact]
    public async Task AReplyOfAHandlerThatReturnsBeforeTheMessageEndsGoesOutWithoutWaitingForMoreInput()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
        {
            var first = new byte[5];
            await message.Body.ReadExactlyAsync(first, ct); // waits for the part: the call goes asynchronous
            return HandleResult.Reply("early " + Encoding.UTF8.GetString(first)); // the rest is left unread
        }, Streaming));
        await using RawClient client = await RawClient.ConnectAsync(server.Port, "/s");

        await client.SendAsync(ClientFrame.Text("Hello", fin: false));

        // Nothing more is sent: the reply cannot wait for the session's next read.
        Assert.Equal("early Hello", (await client.ReadFrameAsync())!.Value.Text);
        await client.SendAsync(ClientFrame.Build(0, "!"u8.ToArray()));
        await client.SendAsync(ClientFrame.Text("again"));
        Assert.Equal("early again", (await client.ReadFrameAsync())!.Value.Text);
    }

    [Fact]
    public async Task WhileTheHandlerHoldsBackTheServerStopsReadingWithABoundedAmountBuffered()
    {
        const long length = 32L << 20;
        var started = new TaskCompletionSource<WebSocketMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
        {
            started.SetResult(message);
            await release.Task.WaitAsync(ct);
            long read = await ReadPatternAsync(message, ct);
            return HandleResult.Reply($"{read} {message.StreamedBody.PeakBufferedBytes}");
        }, Streaming));
        using ClientWebSocket client = await server.ConnectAsync("/s");

        Task sending = Pattern.SendAsync(client, length, 256 * 1024, Timeouts.Token());
        MessageBody body = (await started.Task.Bounded()).StreamedBody;
        // The loop pushes parts until the pipe holds its pause threshold, then stops reading the socket.
        Assert.True(await Timeouts.Eventually(() => body.ReceivedBytes >= IncomingStream.PauseBytes));
        Assert.InRange(body.ReceivedBytes, IncomingStream.PauseBytes, IncomingStream.PauseBytes + 64 * 1024);
        Assert.False(sending.IsCompleted, "32 MiB cannot have been taken while the server reads at most 192 KiB of it.");

        release.SetResult();
        await sending.Bounded();
        string[] reply = (await client.ReceiveTextAsync()).Split(' ');
        Assert.Equal(length, long.Parse(reply[0]));
        Assert.InRange(long.Parse(reply[1]), 1, IncomingStream.PauseBytes + 64 * 1024);
    }

    [Fact]
    public async Task A256MiBMessageFarOverTheServersDefaultLimitPassesWithBoundedBuffering()
    {
        const long length = 256L << 20;
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
        {
            long read = await ReadPatternAsync(message, ct);
            return HandleResult.Reply($"{read} {message.StreamedBody.PeakBufferedBytes}");
        }, Streaming));
        using ClientWebSocket client = await server.ConnectAsync("/s");

        await Pattern.SendAsync(client, length, 1 << 20, Timeouts.Token());
        string[] reply = (await client.ReceiveTextAsync()).Split(' ');

        Assert.Equal(length, long.Parse(reply[0]));
        Assert.InRange(long.Parse(reply[1]), 1, IncomingStream.PauseBytes + 64 * 1024);
    }

    [Fact]
    public async Task Rfc6455_8_1_InvalidUtf8MidMessageFailsWith1007AndTheHandlersReadThrowsIOException()
    {
        var failure = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
        {
            try
            {
                await message.Body.ReadExactlyAsync(new byte[5], ct);
                firstRead.SetResult();
                await message.Body.CopyToAsync(Stream.Null, ct);
                failure.SetResult(null);
            }
            catch (Exception ex)
            {
                failure.SetResult(ex);
            }
            return HandleResult.NoReply();
        }, Streaming));
        await using RawClient client = await RawClient.ConnectAsync(server.Port, "/s");

        await client.SendAsync(ClientFrame.Text("valid", fin: false));
        await firstRead.Task.Bounded();
        await client.SendAsync(ClientFrame.Build(0, [0x61, 0xFF, 0x62], fin: false));

        Assert.Equal((ushort)CloseCode.InvalidPayloadData, (await client.ReadCloseAsync()).CloseCode);
        Assert.IsAssignableFrom<IOException>(await failure.Task.Bounded());
    }

    [Fact]
    public async Task ATransportResetMidMessageMakesTheHandlersReadThrowIOExceptionLoggedAtDebugWhenItEscapes()
    {
        var failure = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new CapturingLogger();
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
        {
            try
            {
                await message.Body.ReadExactlyAsync(new byte[3], ct);
                firstRead.SetResult();
                await message.Body.CopyToAsync(Stream.Null, ct);
                failure.SetResult(null);
            }
            catch (Exception ex)
            {
                failure.SetResult(ex);
                throw; // escapes the handler: the peer's going away, not a handler failure
            }
            return HandleResult.NoReply();
        }, Streaming), logging: log);
        RawClient client = await RawClient.ConnectAsync(server.Port, "/s");

        await client.SendAsync(ClientFrame.Build(2, [1, 2, 3], fin: false));
        await firstRead.Task.Bounded();
        client.Reset();

        Assert.IsAssignableFrom<IOException>(await failure.Task.Bounded());
        Assert.True(await Timeouts.Eventually(() => log.WithId(34).Any()));
        Assert.Equal(LogLevel.Debug, log.WithId(34).First().Level);
        Assert.Empty(log.WithId(5)); // "Handler ... failed; closing it with 1011"
    }

    [Fact]
    public async Task Rfc6455_5_5_2_PingsBetweenTheFragmentsOfAStreamedMessageAreAnswered()
    {
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
            HandleResult.Reply(await new StreamReader(message.Body).ReadToEndAsync(ct)), Streaming));
        await using RawClient client = await RawClient.ConnectAsync(server.Port, "/s");

        await client.SendAsync([
            .. ClientFrame.Text("a", fin: false), .. ClientFrame.Build(9, "p1"u8.ToArray()),
            .. ClientFrame.Build(0, "b"u8.ToArray(), fin: false), .. ClientFrame.Build(9, "p2"u8.ToArray()),
            .. ClientFrame.Build(0, "c"u8.ToArray())]);

        var frames = new List<ReceivedFrame>();
        while (frames.Count < 3) frames.Add((await client.ReadFrameAsync())!.Value);
        Assert.Equal(["p1", "p2"], frames.Where(f => f.Opcode == 10).Select(f => f.Text));
        Assert.Equal("abc", Assert.Single(frames, f => f.Opcode == 1).Text);
    }

    [Fact]
    public async Task WhatTheHandlerLeavesUnreadIsDiscardedAndTheNextMessageFollows()
    {
        int calls = 0;
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
            ++calls == 1
                ? HandleResult.Reply("skipped")
                : HandleResult.Reply(await new StreamReader(message.Body).ReadToEndAsync(ct)), Streaming));
        using ClientWebSocket client = await server.ConnectAsync("/s");

        await Pattern.SendAsync(client, 4 << 20, 64 * 1024, Timeouts.Token());
        await client.SendTextAsync("next");

        Assert.Equal("skipped", await client.ReceiveTextAsync());
        Assert.Equal("next", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Rfc7692_ACompressedFragmentedMessageIsInflatedAsItStreams()
    {
        string text = string.Concat(Enumerable.Repeat("compressible streamed text, 日本語. ", 100_000));
        await using TestServer server = await TestServer.StartAsync(o => o.Routes.Map("/s", async (message, connection, ct) =>
        {
            string received = await new StreamReader(message.Body).ReadToEndAsync(ct);
            return HandleResult.Reply($"{received.Length} {received == text} {message.StreamedBody.PeakBufferedBytes}");
        }, Streaming));
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        await client.ConnectAsync(server.Uri("/s"), Timeouts.Token());

        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        for (int offset = 0; offset < utf8.Length; offset += 1 << 20)
        {
            int count = Math.Min(1 << 20, utf8.Length - offset);
            await client.SendAsync(utf8.AsMemory(offset, count), WebSocketMessageType.Text, offset + count == utf8.Length, Timeouts.Token());
        }
        string[] reply = (await client.ReceiveTextAsync()).Split(' ');

        Assert.Equal(text.Length, int.Parse(reply[0]));
        Assert.Equal("True", reply[1]);
        Assert.InRange(long.Parse(reply[2]), 1, IncomingStream.PauseBytes + 64 * 1024);
    }
}
