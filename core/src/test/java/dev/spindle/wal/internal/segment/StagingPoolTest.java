package dev.spindle.wal.internal.segment;

import org.agrona.BufferUtil;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The staging buffers of a lane: lent block by block, grown by doubling up to the standard size, kept while
 * the lane's batches use them and freed once it is quiet.
 */
class StagingPoolTest
{
    private static final long STANDARD = 1024 * 1024 + 64 * 1024;
    private static final long SECOND = 1_000_000_000L;

    private final StagingPool pool = new StagingPool(STANDARD);
    private long now = System.nanoTime();

    @Test
    void shouldLendTheBufferGivenBackLast()
    {
        final StagingPool.Buffer first = pool.take();
        assertEquals(StagingPool.FIRST_SIZE, first.capacity());
        assertEquals(0, BufferUtil.address(first.memory) % 4096, "page aligned");
        pool.give(first);
        assertSame(first, pool.take());
        assertEquals(1, pool.lent());
        assertEquals(0, pool.spares());
    }

    @Test
    void shouldGrowByDoublingUpToTheStandardSizeKeepingTheOpenBlock()
    {
        StagingPool.Buffer buffer = pool.take();
        buffer.memory.put(0, (byte)42).put(4095, (byte)43);
        buffer = pool.grow(buffer, 5000, 4096);
        assertEquals(8192, buffer.capacity());
        assertEquals(42, buffer.memory.get(0));
        assertEquals(43, buffer.memory.get(4095));
        assertEquals(1, pool.spares(), "the smaller buffer is a spare");
        while (buffer.capacity() < STANDARD)
        {
            buffer = pool.grow(buffer, buffer.capacity() + 1, buffer.capacity());
        }
        assertEquals(STANDARD, buffer.capacity(), "doubling stops at the standard size");
        buffer = pool.grow(buffer, 5 * STANDARD, buffer.capacity());
        assertEquals(5 * STANDARD, buffer.capacity(), "a huge entry gets what it needs");
        assertEquals(1, pool.lent(), "growing swaps buffers, it lends no more");
    }

    @Test
    void shouldGrowIntoASpareLargeEnough()
    {
        StagingPool.Buffer big = pool.take();
        big = pool.grow(big, 100_000, big.capacity());
        final StagingPool.Buffer small = pool.take();   // the 4 KiB one big left behind
        pool.give(big);
        assertSame(big, pool.grow(small, 50_000, small.capacity()));
    }

    @Test
    void shouldKeepWhatTheBusiestMomentUsedThenTrimToIdleSparesWhenQuiet()
    {
        final List<StagingPool.Buffer> batch = new ArrayList<>();
        for (int i = 0; i < 300; i++)
        {
            batch.add(pool.take());
        }
        batch.forEach(pool::give);
        assertEquals(300, pool.spares());

        pool.trim(now += SECOND);
        assertEquals(300, pool.spares(), "a batch of 300 blocks just happened: its buffers stay for the next");
        pool.trim(now += SECOND);
        assertEquals(StagingPool.IDLE_SPARES, pool.spares(), "a quiet second: only the idle spares stay");

        for (int i = 0; i < 3; i++)
        {
            pool.give(pool.take());
        }
        pool.trim(now += SECOND);
        assertEquals(StagingPool.IDLE_SPARES, pool.spares());
    }

    @Test
    void shouldNotTrimMoreOftenThanItsInterval()
    {
        final List<StagingPool.Buffer> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            batch.add(pool.take());
        }
        batch.forEach(pool::give);
        pool.trim(now += SECOND);
        pool.trim(now += 1_000_000);
        assertEquals(10, pool.spares(), "1 ms after a trim: nothing happens");
    }

    @Test
    void shouldFreeABufferGrownPastTheStandardSizeAtTheNextTrim()
    {
        StagingPool.Buffer buffer = pool.take();
        buffer = pool.grow(buffer, 8 * STANDARD, buffer.capacity());
        pool.give(buffer);
        assertTrue(pool.spareBytes() >= 8 * STANDARD);
        pool.trim(now += SECOND);
        assertTrue(pool.spareBytes() <= STANDARD, "left: " + pool.spareBytes());
    }
}
