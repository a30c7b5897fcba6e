using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using WsServer.Tests.TestSupport;
using WsServer.Transport;
using WsServer.Transport.Epoll;

namespace WsServer.Tests.Transport;

/// <summary>The plain-TCP input: pipe semantics (consumed and examined) over one pooled array that grows
/// for a long request head, keeps what was not consumed, and reports the peer's FIN; on .NET's socket
/// engine and on an epoll loop alike.</summary>
public sealed class SocketReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnconsumedBytesStayAndExaminedBytesWaitForMore(bool epoll)
    {
        List<IDisposable> owned = [];
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using (client)
        using (server)
        {
            var reader = ReaderOver(server, epoll, owned);
            await client.SendAsync("abc"u8.ToArray());
            ReadResult first = await reader.ReadAsync().AsTask().Bounded();
            Assert.Equal("abc"u8.ToArray(), first.Buffer.ToArray());
            reader.AdvanceTo(first.Buffer.GetPosition(1), first.Buffer.End); // "a" consumed, all examined

            Assert.False(reader.TryRead(out _)); // nothing new yet
            await client.SendAsync("de"u8.ToArray());
            ReadResult second = await reader.ReadAsync().AsTask().Bounded();
            Assert.Equal("bcde"u8.ToArray(), second.Buffer.ToArray());
            reader.AdvanceTo(second.Buffer.GetPosition(2), second.Buffer.GetPosition(2)); // not all examined

            Assert.True(reader.TryRead(out ReadResult third)); // "de" unexamined: no wait
            Assert.Equal("de"u8.ToArray(), third.Buffer.ToArray());
            reader.AdvanceTo(third.Buffer.End);
            reader.Complete();
        }
        owned.ForEach(o => o.Dispose());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AHeadLongerThanTheFirstArrayGrowsItAndKeepsEveryByte(bool epoll)
    {
        List<IDisposable> owned = [];
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using (client)
        using (server)
        {
            var reader = ReaderOver(server, epoll, owned);
            byte[] sent = [.. Enumerable.Range(0, 20_000).Select(i => (byte)i)];
            await client.SendAsync(sent);
            ReadOnlySequence<byte> all;
            while (true)
            {
                ReadResult read = await reader.ReadAsync().AsTask().Bounded();
                all = read.Buffer;
                if (all.Length == sent.Length) break;
                reader.AdvanceTo(all.Start, all.End); // a head not yet ended: nothing consumed
            }
            Assert.Equal(sent, all.ToArray());
            reader.AdvanceTo(all.End);
            reader.Complete();
        }
        owned.ForEach(o => o.Dispose());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThePeersFinCompletesTheReadWithWhatWasLeft(bool epoll)
    {
        List<IDisposable> owned = [];
        (Socket client, Socket server) = await SocketPair.ConnectAsync();
        using (server)
        {
            var reader = ReaderOver(server, epoll, owned);
            await client.SendAsync("xy"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);
            client.Dispose();

            ReadResult read = await reader.ReadAsync().AsTask().Bounded();
            while (!read.IsCompleted)
            {
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                read = await reader.ReadAsync().AsTask().Bounded();
            }
            Assert.Equal("xy"u8.ToArray(), read.Buffer.ToArray());
            reader.AdvanceTo(read.Buffer.End);
            Assert.True((await reader.ReadAsync().AsTask().Bounded()).IsCompleted);
            reader.Complete();
        }
        owned.ForEach(o => o.Dispose());
    }

    // The same reader over .NET's socket engine and over an epoll loop.
    private static SocketReader ReaderOver(Socket socket, bool epoll, List<IDisposable> owned)
    {
        if (!epoll) return new SocketReader(socket);
        var looped = new EpollSocket(socket.SafeHandle, inline: false);
        owned.Add(looped);
        return new SocketReader(looped);
    }
}
