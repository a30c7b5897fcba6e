using WsServer.Collections;

namespace WsServer.Tests.Collections;

/// <summary>The slot table: ids that carry their slot and a sequence number, so a stale id never finds a
/// later occupant of its slot; reserved slots counted but not yet found; the limit taken in one step.</summary>
public sealed class SlotTableTests
{
    [Fact]
    public void AStaleIdDoesNotFindTheNextOccupantOfItsSlot()
    {
        var table = new SlotTable<string>();
        long first = table.Add("first");
        Assert.True(table.Remove(first));

        long second = table.Add("second");

        Assert.Equal(first & ((1L << SlotTable<string>.SlotBits) - 1), second & ((1L << SlotTable<string>.SlotBits) - 1));
        Assert.True(second > first);
        Assert.False(table.TryGet(first, out _));
        Assert.True(table.TryGet(second, out string? found));
        Assert.Equal("second", found);
    }

    [Fact]
    public void AnIdIsRemovedOnceAndAStaleRemoveFreesNothing()
    {
        var table = new SlotTable<string>();
        long first = table.Add("first");
        Assert.True(table.Remove(first));
        long second = table.Add("second");

        Assert.False(table.Remove(first));

        Assert.Equal(1, table.Count);
        Assert.True(table.TryGet(second, out _));
    }

    [Fact]
    public void IdsAreUniqueAcrossTablesAndGrowWithTime()
    {
        var one = new SlotTable<string>();
        var other = new SlotTable<string>();
        var ids = new List<long>();
        for (int i = 0; i < 100; i++)
        {
            long id = (i % 2 == 0 ? one : other).Add("x");
            ids.Add(id);
            if (i % 3 == 0) Assert.True((i % 2 == 0 ? one : other).Remove(id));
        }

        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(id > 0));
    }

    [Fact]
    public void AReservedSlotIsCountedButNeitherFoundNorVisitedUntilFilled()
    {
        var table = new SlotTable<string>();
        Assert.True(table.TryReserve(0, out long id));

        Assert.Equal(1, table.Count);
        Assert.False(table.TryGet(id, out _));
        Assert.Empty(Visit(table));

        table.Fill(id, "filled");
        Assert.True(table.TryGet(id, out string? found));
        Assert.Equal("filled", found);
        Assert.Equal(["filled"], Visit(table));
    }

    [Fact]
    public void NoSlotIsReservedPastTheLimitEvenByConcurrentCallers()
    {
        var table = new SlotTable<string>();
        int reserved = 0;

        Parallel.For(0, 1000, _ =>
        {
            if (table.TryReserve(100, out _)) Interlocked.Increment(ref reserved);
        });

        Assert.Equal(100, reserved);
        Assert.Equal(100, table.Count);
    }

    [Fact]
    public void AVisitSkipsFreedSlotsAndTheTableGrows()
    {
        var table = new SlotTable<string>();
        long[] ids = [.. Enumerable.Range(0, 100).Select(i => table.Add($"item {i}"))];
        foreach (long id in ids.Where((_, i) => i % 2 == 1)) table.Remove(id);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"item {i * 2}"), Visit(table));
        Assert.Equal(50, table.Count);
    }

    private static List<string> Visit(SlotTable<string> table)
    {
        var seen = new List<string>();
        foreach (string item in table) seen.Add(item);
        return seen;
    }
}
