package dev.spindle.wal.internal.lane;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slow-disk rule on a given clock: slow once the fsync p99 over the last minute passes the bound over at least
 * ten fsyncs, fine again once those fsyncs are more than a minute old, never with a bound of 0.
 */
class SlowSyncTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static void syncs(final SlowSync s, final int n, final long millis)
    {
        for (int i = 0; i < n; i++)
        {
            s.record(millis * MS);
        }
    }

    @Test
    void aLaneIsSlowWhileItsLastMinutesP99IsAboveTheBound()
    {
        final SlowSync s = new SlowSync("lane 0", 250);
        long now = 1_000 * SECOND;
        syncs(s, 200, 2);
        s.check(now);
        assertFalse(s.slow(), "2 ms fsyncs");
        syncs(s, 1, 400);
        s.check(now += SECOND);
        assertFalse(s.slow(), "one slow fsync of 201 is above the p99");
        assertTrue(s.p99LastMinute() < 3 * MS, "p99 " + s.p99LastMinute());
        syncs(s, 20, 400);
        s.check(now += SECOND);
        assertTrue(s.slow(), "21 of 221 fsyncs at 400 ms: the p99 is above 250 ms");
        assertTrue(s.p99LastMinute() >= 390 * MS && s.p99LastMinute() <= 410 * MS, "p99 " + s.p99LastMinute());
        for (int i = 0; i < 8; i++)
        {
            syncs(s, 100, 2);
            s.check(now += 10 * SECOND);    // the slow ones age out of the minute
        }
        assertFalse(s.slow(), "a minute later only 2 ms fsyncs count");
        assertTrue(s.p99LastMinute() <= 3 * MS);
    }

    @Test
    void aFewSlowFsyncsOfAnIdleLaneAreNotASlowDisk()
    {
        final SlowSync s = new SlowSync("lane 0", 250);
        syncs(s, SlowSync.MIN_SYNCS - 1, 900);    // all slow, but too few
        s.check(SECOND);
        assertFalse(s.slow());
        assertEquals(900 * MS, s.p99LastMinute(), 9 * MS);
        syncs(s, 1, 900);
        s.check(2 * SECOND);
        assertTrue(s.slow(), "ten of them are");
    }

    @Test
    void oneSlowFsyncAmongAFewIsNotASlowDiskAndAP99AtTheBoundDoesNotFlip()
    {
        final SlowSync s = new SlowSync("lane 0", 250);
        syncs(s, 20, 2);
        syncs(s, 1, 900);
        s.check(SECOND);
        assertFalse(s.slow(), "the p99 of 21 fsyncs is the slowest one, but one slow fsync is not a slow disk");
        syncs(s, 1, 900);
        s.check(2 * SECOND);
        assertTrue(s.slow(), "two are");
        syncs(s, 2_000, 230);    // the p99 falls just under the bound: still slow until under 80% of it
        s.check(3 * SECOND);
        assertTrue(s.slow());
        syncs(s, 300_000, 150);
        s.check(4 * SECOND);
        assertFalse(s.slow(), "under 200 ms now");
    }

    @Test
    void aBoundOfZeroNeverReportsSlow()
    {
        final SlowSync s = new SlowSync("lane 0", 0);
        syncs(s, 100, 5_000);
        s.check(SECOND);
        assertFalse(s.slow());
        assertTrue(s.p99LastMinute() > 4_000 * MS, "the p99 is still kept");
    }
}
