using System.Net;

namespace WsServer.Hosting;

/// <summary>Whether a connection may be registered, and if not, why.</summary>
internal enum Admission
{
    Admitted,
    /// <summary>The server is stopping.</summary>
    Stopping,
    /// <summary><see cref="ServerOptions.MaxConnections"/> are open.</summary>
    ServerFull,
    /// <summary><see cref="ServerOptions.MaxConnectionsPerIp"/> are open from this address.</summary>
    AddressFull,
}

/// <summary>
/// Counts open connections, server-wide and per remote address, against
/// <see cref="ServerOptions.MaxConnections"/> and <see cref="ServerOptions.MaxConnectionsPerIp"/> (0: no
/// limit, nothing counted). One lock: it is taken twice per connection (admit, release), never per message,
/// and makes the check and the count one step, so concurrent upgrades cannot overshoot a limit.
/// </summary>
internal sealed class ConnectionLimits(int maxConnections, int maxPerAddress)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _open;

    private bool Counting => maxConnections > 0 || maxPerAddress > 0;

    /// <summary>Takes a place for a connection from <paramref name="address"/> if there is one.</summary>
    public Admission TryAdmit(IPAddress address)
    {
        if (!Counting) return Admission.Admitted;
        address = Normalize(address);
        lock (_gate)
        {
            Admission admission = Check(address, out int fromAddress);
            if (admission != Admission.Admitted) return admission;
            _open++;
            if (maxPerAddress > 0) _perAddress[address] = fromAddress + 1;
            return admission;
        }
    }

    /// <summary>Whether <see cref="TryAdmit"/> would admit now; takes nothing.</summary>
    public Admission CanAdmit(IPAddress address)
    {
        if (!Counting) return Admission.Admitted;
        address = Normalize(address);
        lock (_gate) return Check(address, out _);
    }

    /// <summary>Frees the place of an admitted connection.</summary>
    public void Release(IPAddress address)
    {
        if (!Counting) return;
        address = Normalize(address);
        lock (_gate)
        {
            _open--;
            if (maxPerAddress == 0 || !_perAddress.TryGetValue(address, out int count)) return;
            // An address with no connection holds no entry: the map is as large as the open connections.
            if (count <= 1) _perAddress.Remove(address);
            else _perAddress[address] = count - 1;
        }
    }

    private Admission Check(IPAddress address, out int fromAddress)
    {
        fromAddress = maxPerAddress > 0 ? _perAddress.GetValueOrDefault(address) : 0;
        if (maxConnections > 0 && _open >= maxConnections) return Admission.ServerFull;
        if (maxPerAddress > 0 && fromAddress >= maxPerAddress) return Admission.AddressFull;
        return Admission.Admitted;
    }

    // A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d; the PROXY header may say a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
