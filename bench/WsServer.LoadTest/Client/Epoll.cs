using System.Runtime.InteropServices;

namespace WsServer.LoadTest.Client;

/// <summary>The libc calls of <see cref="EpollClientLoop"/>: epoll itself, and non-blocking recv and send on a
/// socket's file descriptor. Receive and send return the bytes moved, or minus errno.</summary>
/// <remarks>recv and send straight from libc rather than <c>Socket.Receive/Send</c> on a non-blocking socket:
/// in a loopback microbenchmark on one core a recv that found nothing took 235–275 ns this way and 258–326 ns
/// through Socket (its handle reference counting and checks), and a send plus two recvs about 10 % less.
/// Not the server's own <c>WsServer.Transport.Epoll.EpollInterop</c>: the load generator stays independent of
/// the transport it measures (and is level-triggered, with timeouts, where the server's is edge-triggered).</remarks>
internal static unsafe partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const int EAgain = 11;
    private const int EIntr = 4;
    private const int CloExec = 0x80000;
    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int CtlMod = 3;
    private const int MsgNoSignal = 0x4000;

    /// <summary>True where <see cref="Event"/>'s layout is right: it is packed (12 bytes) on x86-64 only.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct Event
    {
        public uint Events;
        public ulong Data;
    }

    public static int Create() => Check(epoll_create1(CloExec), "epoll_create1");

    public static void Add(int epoll, int fd, uint events, ulong data) => Control(epoll, CtlAdd, fd, events, data);

    public static void Modify(int epoll, int fd, uint events, ulong data) => Control(epoll, CtlMod, fd, events, data);

    public static void Remove(int epoll, int fd) => Control(epoll, CtlDel, fd, 0, 0);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for ready descriptors and returns how many were written
    /// to <paramref name="events"/>; 0 when a signal cut the wait short.</summary>
    public static int Wait(int epoll, Span<Event> events, int timeoutMs)
    {
        fixed (Event* e = events)
        {
            int ready = epoll_wait(epoll, e, events.Length, timeoutMs);
            return ready < 0 && Marshal.GetLastPInvokeError() == EIntr ? 0 : Check(ready, "epoll_wait");
        }
    }

    public static nint Receive(int fd, Span<byte> buffer)
    {
        fixed (byte* b = buffer)
        {
            nint read = recv(fd, b, buffer.Length, 0);
            return read >= 0 ? read : -Marshal.GetLastPInvokeError();
        }
    }

    public static nint Send(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* b = bytes)
        {
            // MSG_NOSIGNAL: a peer that reset the connection gives EPIPE rather than a SIGPIPE.
            nint sent = send(fd, b, bytes.Length, MsgNoSignal);
            return sent >= 0 ? sent : -Marshal.GetLastPInvokeError();
        }
    }

    public static void Close(int fd) => close(fd);

    /// <summary>The text of <paramref name="errno"/>.</summary>
    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static void Control(int epoll, int op, int fd, uint events, ulong data)
    {
        var e = new Event { Events = events, Data = data };
        Check(epoll_ctl(epoll, op, fd, &e), "epoll_ctl");
    }

    private static int Check(int result, string call) => result >= 0 ? result
        : throw new IOException($"{call}: {Message(Marshal.GetLastPInvokeError())}");

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int op, int fd, Event* e);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epoll, Event* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
