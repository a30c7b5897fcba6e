using WsServer.Tests.TestSupport;
using WsServer.Transport;

namespace WsServer.Tests.Transport;

/// <summary>The arrays of send queues and socket readers: sized by request, and the smallest size handed back
/// on the thread that returned it, last returned first, so a loop's next read or reply gets an array still in
/// its cache.</summary>
public sealed class SegmentPoolTests
{
    [Theory]
    [InlineData(1, SegmentPool.SmallestSize)]
    [InlineData(SegmentPool.SmallestSize, SegmentPool.SmallestSize)]
    [InlineData(SegmentPool.SmallestSize + 1, 2 * SegmentPool.SmallestSize)]
    [InlineData(SegmentPool.LargestSize, SegmentPool.LargestSize)]
    public void ARentIsRoundedUpToTheNextSize(int requested, int expected)
    {
        byte[] array = SegmentPool.Rent(requested);
        Assert.Equal(expected, array.Length);
        SegmentPool.Return(array);
    }

    [Fact]
    public void TheSmallestArraysComeBackOnTheirThreadLastReturnedFirst()
    {
        OwnThread.Run(() =>
        {
            byte[] first = SegmentPool.Rent(100), second = SegmentPool.Rent(100);
            SegmentPool.Return(first);
            SegmentPool.Return(second);

            Assert.Same(second, SegmentPool.Rent(100));
            Assert.Same(first, SegmentPool.Rent(SegmentPool.SmallestSize));
        });
    }

    [Fact]
    public void ALargerArrayIsNotKeptForTheThreadsSmallRents()
    {
        OwnThread.Run(() =>
        {
            byte[] large = SegmentPool.Rent(2 * SegmentPool.SmallestSize);
            SegmentPool.Return(large);

            Assert.NotSame(large, SegmentPool.Rent(100));
        });
    }
}
