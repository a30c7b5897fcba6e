using WsServer.Connections;

namespace WsServer.Tests.ConnectionCore;

/// <summary>The "has it ended" task made on demand: the same answer whether it is asked before or after the
/// end, and the first ending is the one that counts.</summary>
public sealed class LazyCompletionTests
{
    [Fact]
    public async Task AskedBeforeTheEndItCompletesAtTheEnd()
    {
        TaskCompletionSource? slot = null;
        Task ended = LazyCompletion.Task(ref slot);
        Assert.False(ended.IsCompleted);
        LazyCompletion.Complete(ref slot);
        await ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ended.IsCompletedSuccessfully);
    }

    [Fact]
    public void AskedAfterTheEndItHasEndedAndConnectionsShareOneStandIn()
    {
        TaskCompletionSource? first = null, second = null;
        LazyCompletion.Complete(ref first);
        LazyCompletion.Complete(ref second);
        Assert.True(LazyCompletion.Task(ref first).IsCompletedSuccessfully);
        Assert.Same(first, second); // no source of its own for a connection nobody asked about
    }

    [Fact]
    public void AnErrorFaultsItAskedBeforeOrAfterAndTheFirstEndingCounts()
    {
        var error = new InvalidOperationException("a bug");
        TaskCompletionSource? before = null, after = null;
        Task asked = LazyCompletion.Task(ref before);
        LazyCompletion.Complete(ref before, error);
        LazyCompletion.Complete(ref after, error);
        LazyCompletion.Complete(ref after); // too late: the fault stays

        Assert.Same(error, asked.Exception!.InnerException);
        Assert.Same(error, LazyCompletion.Task(ref after).Exception!.InnerException);
    }
}
