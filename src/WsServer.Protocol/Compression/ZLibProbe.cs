using System.Runtime.InteropServices;

namespace WsServer.Protocol.Compression;

/// <summary>Whether the system zlib the codec calls (<see cref="ZStreamHandle"/>, <c>libz.so.1</c>) can be
/// loaded in this process: probed once. Where it cannot (Windows, macOS, a slim Linux image without
/// zlib), permessage-deflate is declined rather than failing the connections that negotiated it.</summary>
internal static class ZLibProbe
{
    private static readonly bool s_available = Probe(ZStreamHandle.Library);

    public static bool IsAvailable => s_available;

    /// <summary>Loads <paramref name="library"/> as the codec's imports would, and checks it is zlib.</summary>
    public static bool Probe(string library)
    {
        if (!NativeLibrary.TryLoad(library, typeof(ZLibProbe).Assembly, searchPath: null, out nint handle)) return false;
        // The handle stays loaded: the codec's imports resolve to the same library.
        return NativeLibrary.TryGetExport(handle, "deflateInit2_", out _) && NativeLibrary.TryGetExport(handle, "inflateInit2_", out _);
    }
}
