using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Transport;

/// <summary>The plain-TCP input: pipe semantics (consumed and examined) over one pooled array that grows
/// for a long request head, keeps what was not consumed, and reports the peer's FIN.</summary>
public sealed class SocketReaderTests
{
    [Fact]
    public async Task UnconsumedBytesStayAndExaminedBytesWaitForMore()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            var reader = new SocketReader(server);
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
    }

    [Fact]
    public async Task AHeadLongerThanTheFirstArrayGrowsItAndKeepsEveryByte()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            var reader = new SocketReader(server);
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
    }

    [Fact]
    public async Task ThePeersFinCompletesTheReadWithWhatWasLeft()
    {
        (Socket client, Socket server) = await ConnectedPairAsync();
        using (server)
        {
            var reader = new SocketReader(server);
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
    }

    private static async Task<(Socket Client, Socket Server)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!).Bounded();
        Socket server = await listener.AcceptAsync().Bounded();
        return (client, server);
    }
}
