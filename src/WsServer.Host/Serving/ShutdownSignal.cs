using System.Runtime.InteropServices;

namespace WsServer.Host.Serving;

/// <summary>
/// Turns the first SIGINT (Ctrl+C) or SIGTERM into a request to drain: the default termination is
/// cancelled and <see cref="Requested"/> completes. A second signal while draining is not cancelled,
/// so an impatient operator can still end the process at once.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly TaskCompletionSource<PosixSignal> _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Completes with the first signal received.</summary>
    public Task<PosixSignal> Requested => _requested.Task;

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
    }

    private void OnSignal(PosixSignalContext context) => context.Cancel = _requested.TrySetResult(context.Signal);
}
