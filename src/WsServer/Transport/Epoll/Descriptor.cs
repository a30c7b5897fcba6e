using Microsoft.Win32.SafeHandles;

namespace WsServer.Transport.Epoll;

/// <summary>A socket's descriptor, taken from a listener's backlog, closed once no call holds it: what
/// .NET's <c>SafeSocketHandle</c> does for its <c>Socket</c>, without the <c>Socket</c> and its state.</summary>
internal sealed class Descriptor : SafeHandleMinusOneIsInvalid
{
    public Descriptor(int fd) : base(ownsHandle: true) => SetHandle(fd);

    protected override bool ReleaseHandle() => EpollInterop.Close((int)handle);
}
