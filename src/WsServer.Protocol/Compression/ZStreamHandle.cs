using System.Runtime.InteropServices;

namespace WsServer.Protocol.Compression;

/// <summary>One native zlib stream (deflate or inflate, raw: no zlib header) from the system's
/// <c>libz.so.1</c>, owned by a <see cref="SafeHandle"/>. The only unsafe code in the codec.</summary>
/// <remarks>
/// Why not <c>System.IO.Compression</c>: .NET 10's <c>DeflateStream</c> and <c>ZLibCompressionOptions</c>
/// set the level and strategy but not the window size, and RFC 7692's
/// <c>server_max_window_bits</c>/<c>client_max_window_bits</c> must be honoured exactly. The
/// <c>z_stream</c> lives in native memory (<see cref="NativeMemory"/>) because zlib keeps a pointer
/// to it in its internal state, so it must never move.
/// </remarks>
internal sealed unsafe partial class ZStreamHandle : SafeHandle
{
    public const int Ok = 0;
    public const int StreamEnd = 1;
    public const int BufError = -5;
    public const int NoFlush = 0;
    public const int SyncFlush = 2;

    public const string Library = "libz.so.1";
    private const int Deflated = 8;
    private const int DefaultStrategy = 0;

    private readonly bool _deflate;

    private ZStreamHandle(bool deflate) : base(IntPtr.Zero, ownsHandle: true) => _deflate = deflate;

    public override bool IsInvalid => handle == IntPtr.Zero;

    private ZStream* Stream => (ZStream*)handle;

    /// <summary>A raw deflate stream. zlib refuses a raw window of 8 bits, so 8 is run as 9: its
    /// longest match distance is 2^9 - 262 = 250 bytes, within the 256-byte window the peer asked for.</summary>
    public static ZStreamHandle CreateDeflater(int level, int windowBits, int memoryLevel)
    {
        ZStream* s = Allocate();
        return Adopt(new ZStreamHandle(deflate: true), s,
            DeflateInit2(s, level, Deflated, -Math.Max(windowBits, 9), memoryLevel, DefaultStrategy, ZLibVersion(), sizeof(ZStream)));
    }

    /// <summary>A raw inflate stream with a window of 2^<paramref name="windowBits"/> bytes.</summary>
    public static ZStreamHandle CreateInflater(int windowBits)
    {
        ZStream* s = Allocate();
        return Adopt(new ZStreamHandle(deflate: false), s, InflateInit2(s, -windowBits, ZLibVersion(), sizeof(ZStream)));
    }

    /// <summary>Runs deflate (with <paramref name="flush"/>) or inflate over the two buffers.</summary>
    /// <returns>zlib's status: Ok, StreamEnd, BufError (no progress possible), or another error.</returns>
    public int Run(ReadOnlySpan<byte> input, Span<byte> output, int flush, out int consumed, out int written)
    {
        fixed (byte* inPtr = input)
        fixed (byte* outPtr = output)
        {
            ZStream* s = Stream;
            s->NextIn = inPtr;
            s->AvailIn = (uint)input.Length;
            s->NextOut = outPtr;
            s->AvailOut = (uint)output.Length;
            int status = _deflate ? Deflate(s, flush) : Inflate(s, flush);
            consumed = input.Length - (int)s->AvailIn;
            written = output.Length - (int)s->AvailOut;
            s->NextIn = null;
            s->NextOut = null;
            return status;
        }
    }

    /// <summary>Forgets the history (the LZ77 window), keeping the allocated state for reuse.</summary>
    public void Reset()
    {
        int status = _deflate ? DeflateReset(Stream) : InflateReset(Stream);
        if (status != Ok) throw new InvalidOperationException($"zlib reset failed ({status}).");
    }

    protected override bool ReleaseHandle()
    {
        if (_deflate) DeflateEnd(Stream);
        else InflateEnd(Stream);
        NativeMemory.Free(Stream);
        return true;
    }

    private static ZStream* Allocate() => (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));

    private static ZStreamHandle Adopt(ZStreamHandle stream, ZStream* memory, int initStatus)
    {
        if (initStatus != Ok)
        {
            NativeMemory.Free(memory);
            stream.SetHandleAsInvalid();
            throw new InvalidOperationException($"zlib initialization failed ({initStatus}).");
        }
        stream.SetHandle((nint)memory);
        return stream;
    }

    [LibraryImport(Library, EntryPoint = "zlibVersion")]
    private static partial byte* ZLibVersion();

    [LibraryImport(Library, EntryPoint = "deflateInit2_")]
    private static partial int DeflateInit2(ZStream* s, int level, int method, int windowBits, int memLevel,
        int strategy, byte* version, int size);

    [LibraryImport(Library, EntryPoint = "inflateInit2_")]
    private static partial int InflateInit2(ZStream* s, int windowBits, byte* version, int size);

    [LibraryImport(Library, EntryPoint = "deflate")]
    private static partial int Deflate(ZStream* s, int flush);

    [LibraryImport(Library, EntryPoint = "inflate")]
    private static partial int Inflate(ZStream* s, int flush);

    [LibraryImport(Library, EntryPoint = "deflateReset")]
    private static partial int DeflateReset(ZStream* s);

    [LibraryImport(Library, EntryPoint = "inflateReset")]
    private static partial int InflateReset(ZStream* s);

    [LibraryImport(Library, EntryPoint = "deflateEnd")]
    private static partial int DeflateEnd(ZStream* s);

    [LibraryImport(Library, EntryPoint = "inflateEnd")]
    private static partial int InflateEnd(ZStream* s);

    /// <summary>zlib's <c>z_stream</c>; <c>uLong</c> is <see cref="CULong"/> (8 bytes on 64-bit Linux).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public CULong TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public CULong TotalOut;
        public nint Message;
        public nint State;
        public nint Alloc;
        public nint Free;
        public nint Opaque;
        public int DataType;
        public CULong Adler;
        public CULong Reserved;
    }
}
