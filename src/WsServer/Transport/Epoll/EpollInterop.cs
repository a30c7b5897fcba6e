using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WsServer.Transport.Epoll;

/// <summary>The few Linux calls the epoll transport makes, from glibc. x86-64 only: there
/// <c>struct epoll_event</c> is packed (12 bytes), elsewhere it is not, and nothing else was measured.</summary>
internal static unsafe partial class EpollInterop
{
    private const string Libc = "libc.so.6";

    public const uint In = 0x001, Out = 0x004, Error = 0x008, HangUp = 0x010, ReadHangUp = 0x2000, EdgeTriggered = 1u << 31;
    public const int Add = 1;
    private const int CloseOnExec = 0x80000, NonBlocking = 0x800;
    private const int DontWait = 0x40, NoSignal = 0x4000, Peek = 0x2;
    private const int WouldBlock = 11, Interrupted = 4, ConnectionAborted = 103;
    // What accept(2) may report in place of a connection that failed before it was taken.
    private const int ProtocolError = 71, NoProtocolOption = 92, NotSupported = 95, NetworkDown = 100,
        NetworkUnreachable = 101, HostDown = 112, HostUnreachable = 113, NoNetwork = 64;
    private const int ShutdownWrite = 1; // SHUT_WR
    private const ushort InterNetwork = 2, InterNetworkV6 = 10;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct Event
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>True where this transport can run: Linux on x86-64 with glibc's epoll.</summary>
    public static bool IsSupported { get; } = Probe();

    public static int Create()
    {
        int fd = epoll_create1(CloseOnExec);
        return fd >= 0 ? fd : throw Failure(Marshal.GetLastPInvokeError());
    }

    public static void Control(int epoll, int op, int fd, uint events, ulong data)
    {
        var e = new Event { Events = events, Data = data };
        if (epoll_ctl(epoll, op, fd, &e) != 0) throw Failure(Marshal.GetLastPInvokeError());
    }

    /// <summary>Waits for events; 0 when interrupted by a signal.</summary>
    public static int Wait(int epoll, Event* events, int capacity)
    {
        int n = epoll_wait(epoll, events, capacity, -1);
        if (n >= 0) return n;
        int errno = Marshal.GetLastPInvokeError();
        return errno == Interrupted ? 0 : throw Failure(errno);
    }

    /// <summary>Bytes received (0 at the peer's FIN), or -1 when none are waiting.</summary>
    public static int Receive(int fd, Span<byte> into)
    {
        fixed (byte* p = into)
        {
            while (true)
            {
                nint n = recv(fd, p, (nuint)into.Length, DontWait);
                if (n >= 0) return (int)n;
                if (Retry(Marshal.GetLastSystemError())) return -1;
            }
        }
    }

    /// <summary>Bytes sent, or 0 when the send buffer is full.</summary>
    public static int Send(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            while (true)
            {
                nint n = send(fd, p, (nuint)bytes.Length, DontWait | NoSignal);
                if (n >= 0) return (int)n;
                if (Retry(Marshal.GetLastSystemError())) return 0;
            }
        }
    }

    /// <summary>Bytes sent from <paramref name="count"/> pinned vectors in one call, or 0 when the send buffer is full.</summary>
    public static long SendVectors(int fd, IoVector* vectors, int count)
    {
        var message = new MessageHeader { Vectors = vectors, VectorCount = (nuint)count };
        while (true)
        {
            nint n = sendmsg(fd, &message, DontWait | NoSignal);
            if (n >= 0) return n;
            if (Retry(Marshal.GetLastSystemError())) return 0;
        }
    }

    /// <summary>A connection from the backlog of the listening <paramref name="fd"/>, non-blocking, with the peer's
    /// address; -1 when none is waiting. A connection that failed before it was taken is skipped. A peer at
    /// <paramref name="recent"/>'s address gets that very object in its endpoint.</summary>
    public static int Accept(int fd, IPAddress? recent, out IPEndPoint? remote)
    {
        byte* address = stackalloc byte[128]; // a sockaddr_storage
        while (true)
        {
            uint length = 128;
            int accepted = accept4(fd, address, &length, NonBlocking | CloseOnExec);
            if (accepted >= 0)
            {
                remote = EndPointOf(address, recent);
                return accepted;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (IsPeersFailure(errno)) continue;
            remote = null;
            if (Retry(errno)) return -1;
        }
    }

    // accept(2): a connection that failed before it was taken, reported in its place; the next may be fine.
    private static bool IsPeersFailure(int errno) => errno is ConnectionAborted or ProtocolError or NoProtocolOption
        or NotSupported or NetworkDown or NetworkUnreachable or HostDown or HostUnreachable or NoNetwork;

    /// <summary>The address <paramref name="fd"/> is bound to.</summary>
    public static IPEndPoint? LocalEndPoint(int fd)
    {
        byte* address = stackalloc byte[128];
        uint length = 128;
        return getsockname(fd, address, &length) == 0 ? EndPointOf(address) : null;
    }

    /// <summary>Sends the FIN; a socket already cut or reset is left as it is.</summary>
    public static void ShutdownSend(int fd) => _ = shutdown(fd, ShutdownWrite);

    /// <summary>True when bytes were received and not yet read (a peek at one of them).</summary>
    public static bool HasUnread(int fd)
    {
        byte first;
        return recv(fd, &first, 1, DontWait | Peek) > 0;
    }

    public static bool Close(int fd) => close(fd) == 0;

    // A sockaddr_in or sockaddr_in6 (a dual-mode listener's IPv4 peers come as mapped IPv6, as .NET's own accept gives
    // them). The address is `recent` itself when it is the same: a client's many connections, or a proxy's, share one.
    private static IPEndPoint? EndPointOf(byte* address, IPAddress? recent = null)
    {
        ushort family = *(ushort*)address;
        int port = address[2] << 8 | address[3];
        if (family is not (InterNetwork or InterNetworkV6)) return null;
        var bytes = new ReadOnlySpan<byte>(family == InterNetwork ? address + 4 : address + 8, family == InterNetwork ? 4 : 16);
        uint scope = family == InterNetwork ? 0 : *(uint*)(address + 24);
        IPAddress peer = recent is not null && IsAddress(recent, bytes, scope) ? recent
            : family == InterNetwork ? new IPAddress(bytes) : new IPAddress(bytes, scope);
        return new IPEndPoint(peer, port);
    }

    private static bool IsAddress(IPAddress known, ReadOnlySpan<byte> bytes, uint scope)
    {
        Span<byte> knownBytes = stackalloc byte[16];
        return known.TryWriteBytes(knownBytes, out int written) && knownBytes[..written].SequenceEqual(bytes)
            && (bytes.Length == 4 || known.ScopeId == scope);
    }

    // True for "try later"; false for "try again now"; throws for a real error (reset, broken pipe).
    private static bool Retry(int errno)
    {
        if (errno == WouldBlock) return true;
        if (errno == Interrupted) return false;
        throw Failure(errno);
    }

    private static SocketException Failure(int errno) => new(errno switch
    {
        104 => (int)SocketError.ConnectionReset,
        32 => (int)SocketError.Shutdown,
        110 => (int)SocketError.TimedOut,
        9 => (int)SocketError.OperationAborted,
        23 or 24 => (int)SocketError.TooManyOpenSockets, // ENFILE, EMFILE
        12 or 105 => (int)SocketError.NoBufferSpaceAvailable, // ENOMEM, ENOBUFS
        _ => (int)SocketError.SocketError,
    });

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return false;
        try
        {
            int fd = epoll_create1(CloseOnExec);
            if (fd < 0) return false;
            close(fd);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, Event* ev);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int epoll_wait(int epfd, Event* events, int maxevents, int timeout);

    // The calls made per message never block (MSG_DONTWAIT on a non-blocking socket), so they skip the switch to and
    // from preemptive mode: a collection waits for one at most as long as the kernel takes to copy its bytes. The
    // errno read straight after a failed call (Marshal.GetLastSystemError) is the call's, as LibraryImport reads it.
    [LibraryImport(Libc), SuppressGCTransition]
    private static partial nint recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Libc), SuppressGCTransition]
    private static partial nint send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport(Libc), SuppressGCTransition]
    private static partial nint sendmsg(int fd, MessageHeader* message, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int accept4(int fd, byte* address, uint* length, int flags);

    [LibraryImport(Libc)]
    private static partial int getsockname(int fd, byte* address, uint* length);

    [LibraryImport(Libc)]
    private static partial int shutdown(int fd, int how);

    [LibraryImport(Libc)]
    private static partial int close(int fd);
}
