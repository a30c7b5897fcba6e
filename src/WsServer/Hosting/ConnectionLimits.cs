using System.Net;
using WsServer.Collections;
using WsServer.Connections;

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
/// Admits connections against <see cref="ServerOptions.MaxConnections"/>, counted by the server's slot
/// table, and <see cref="ServerOptions.MaxConnectionsPerIp"/>, counted here per remote address (0: no
/// limit, nothing counted). Each count is checked and taken in one step under its own lock, taken twice per
/// connection (admit, release), never per message, so concurrent upgrades cannot overshoot a limit.
/// </summary>
internal sealed class ConnectionLimits(int maxConnections, int maxPerAddress)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];

    /// <summary>Takes a place in <paramref name="connections"/> (its id is <paramref name="id"/>) for a
    /// connection from <paramref name="address"/>, if there is one.</summary>
    public Admission TryAdmit(IPAddress address, SlotTable<WebSocketConnection> connections, out long id)
    {
        id = 0;
        // The server-wide limit is the first reason given when both are reached.
        Admission admission = CanAdmit(address, connections.Count);
        if (admission != Admission.Admitted) return admission;
        if (maxPerAddress > 0)
        {
            address = Normalize(address);
            lock (_gate)
            {
                int fromAddress = _perAddress.GetValueOrDefault(address);
                if (fromAddress >= maxPerAddress) return Admission.AddressFull;
                _perAddress[address] = fromAddress + 1;
            }
        }
        if (connections.TryReserve(maxConnections, out id)) return Admission.Admitted;
        Release(address);
        return Admission.ServerFull;
    }

    /// <summary>Whether <see cref="TryAdmit"/> would admit now, with <paramref name="open"/> connections; takes nothing.</summary>
    public Admission CanAdmit(IPAddress address, int open)
    {
        if (maxConnections > 0 && open >= maxConnections) return Admission.ServerFull;
        if (maxPerAddress == 0) return Admission.Admitted;
        address = Normalize(address);
        lock (_gate) return _perAddress.GetValueOrDefault(address) >= maxPerAddress ? Admission.AddressFull : Admission.Admitted;
    }

    /// <summary>Frees the per-address place of an admitted connection (its slot is freed by its remover).</summary>
    public void Release(IPAddress address)
    {
        if (maxPerAddress == 0) return;
        address = Normalize(address);
        lock (_gate)
        {
            if (!_perAddress.TryGetValue(address, out int count)) return;
            // An address with no connection holds no entry: the map is as large as the open connections.
            if (count <= 1) _perAddress.Remove(address);
            else _perAddress[address] = count - 1;
        }
    }

    // A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d; the PROXY header may say a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
