using System.Buffers;
using WsServer.Protocol.Compression;
using WsServer.Protocol.Framing;

namespace WsServer.LoadTest.Client;

/// <summary>What the checks of one round found, across its connections.</summary>
internal sealed class EchoCheckTally
{
    private long _verified;

    /// <summary>Replies inflated and found equal to what was sent.</summary>
    public long Verified => Volatile.Read(ref _verified);

    /// <summary>The first reply that was not; null while none.</summary>
    public string? Failure { get; private set; }

    public void Passed() => Interlocked.Increment(ref _verified);

    public void Failed(string failure) => Failure ??= failure;
}

/// <summary>Checks the first replies of one echo connection that sends compressed text: each must be compressed
/// (RSV1 on its first frame) and inflate to exactly the text sent, in the order sent. The inflater keeps its
/// window between messages, which is right whether or not the server takes its context over; after the checked
/// replies the client skips payloads again without inflating.</summary>
internal sealed class InflatingEchoCheck(IReadOnlyList<byte[]> sent, int next, int replies, EchoCheckTally tally)
    : IMessageObserver, IDisposable
{
    private const int MaxReply = 1 << 20;
    private readonly PayloadInflater _inflater = new(DeflateParameters.MaxWindowBits, noContextTakeover: false);
    private byte[] _text = new byte[4096];
    private int _length;
    private bool _compressed;
    private bool _fin;
    private bool _broken;
    private int _left = replies;

    public void FrameStarted(in FrameHeader header)
    {
        if (header.Opcode != Opcode.Continuation)
        {
            _compressed = header.Rsv1;
            _length = 0;
        }
        _fin = header.Fin;
    }

    public void Payload(ReadOnlySpan<byte> bytes)
    {
        if (_broken) return;
        if (_compressed) Inflate(bytes);
        else Append(bytes);
    }

    public bool FrameEnded()
    {
        if (_broken) return Stop();
        if (!_fin) return true;
        byte[] expected = sent[next];
        next = (next + 1) % sent.Count;
        if (!_compressed) return Fail("a reply came uncompressed (RSV1 clear)");
        // §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message", then inflate.
        Inflate(PayloadInflater.FlushTail);
        if (_broken) return Stop();
        if (!_text.AsSpan(0, _length).SequenceEqual(expected))
            return Fail($"a reply inflated to {_length} bytes that differ from the {expected.Length} sent");
        tally.Passed();
        return --_left > 0 || Stop();
    }

    public void Dispose() => _inflater.Dispose();

    private void Inflate(ReadOnlySpan<byte> input)
    {
        while (!_broken)
        {
            if (_length == _text.Length && !Grow()) return;
            Span<byte> room = _text.AsSpan(_length);
            if (_inflater.Inflate(input, room, out int consumed, out int written) != OperationStatus.Done)
            {
                Fail("a reply is not valid DEFLATE");
                return;
            }
            _length += written;
            input = input[consumed..];
            // Done once the input is used and the output was not filled (so zlib holds nothing back).
            if (written < room.Length && (input.IsEmpty || consumed == 0)) return;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        while (_length + bytes.Length > _text.Length)
        {
            if (!Grow()) return;
        }
        bytes.CopyTo(_text.AsSpan(_length));
        _length += bytes.Length;
    }

    private bool Grow()
    {
        if (_text.Length >= MaxReply) return Fail($"a reply is over {MaxReply} bytes");
        Array.Resize(ref _text, _text.Length * 2);
        return true;
    }

    private bool Fail(string failure)
    {
        tally.Failed(failure);
        _broken = true;
        return false;
    }

    private bool Stop()
    {
        Dispose();
        return false;
    }
}
