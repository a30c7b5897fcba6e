namespace WsServer.Tests.TestSupport;

/// <summary>Runs a test's body on a thread of its own, for state kept per thread (a loop's mark, a pool's arrays)
/// that must not be on a thread the tests share; a failure there fails the test.</summary>
public static class OwnThread
{
    public static void Run(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the test's own thread should end");
        if (failure is not null) throw new Xunit.Sdk.XunitException($"on the test's own thread: {failure}");
    }
}
