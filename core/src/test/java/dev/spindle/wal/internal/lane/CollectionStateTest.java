package dev.spindle.wal.internal.lane;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watermarks of one collection spread over lanes, driven by hand the way producers and lane threads
 * drive them.
 */
class CollectionStateTest
{
    @Test
    void shouldAcknowledgeOnlyUpToTheProgressOfEveryLaneWithPendingEntries()
    {
        final CollectionState c = new CollectionState("docs", 2, true);
        final long s1 = c.assignLocked(0);
        final long s2 = c.assignLocked(1);
        final long s3 = c.assignLocked(0);

        c.laneDurable(1, s2);
        assertEquals(0, c.acknowledgedSequence(), "1 is pending in lane 0, so 2 is not acknowledged yet");
        c.laneDurable(0, s1);
        assertEquals(s1, c.acknowledgedSequence(), "a safe bound: lane 0 still has 3 pending, so the mark is " +
            "lane 0's progress, although 2 is done in lane 1");
        c.laneDurable(0, s3);
        assertEquals(s3, c.acknowledgedSequence());
        assertFalse(c.pendingOn(0, true));
        assertFalse(c.pendingOn(1, true));
    }

    @Test
    void shouldNeverGoDownWhenAnIdleLaneTakesANewEntry()
    {
        final CollectionState c = new CollectionState("docs", 2, true);
        c.laneDurable(0, c.assignLocked(0));
        c.laneDurable(0, c.assignLocked(0));
        assertEquals(2, c.durableSequence());

        final long s3 = c.assignLocked(1);   // lane 1's old progress (0) would pull the bound down to 0
        assertEquals(2, c.durableSequence(), "the watermark is the highest bound seen, never lower");
        assertTrue(c.pendingOn(1, true));
        c.laneDurable(1, s3);
        assertEquals(3, c.durableSequence());
    }

    @Test
    void shouldAcknowledgeWrittenEntriesWhenTheSyncModeDoesNotWaitForDurability()
    {
        final CollectionState c = new CollectionState("docs", 1, false);
        final long s1 = c.assignLocked(0);
        c.laneWritten(0, s1);
        assertEquals(s1, c.acknowledgedSequence());
        assertEquals(0, c.durableSequence());
        assertTrue(c.pendingOn(0, true), "written is not durable");
    }

    @Test
    void shouldAcknowledgeAtTheRemoteWatermarkWhenAckIsRemote()
    {
        final CollectionState c = new CollectionState("docs", 2, true, new boolean[]{true, false}, true);
        final long s1 = c.assignLocked(0);
        final long s2 = c.assignLocked(1);
        c.laneDurable(0, s1);
        c.laneDurable(1, s2);
        assertEquals(s2, c.durableSequence());
        assertEquals(0, c.acknowledgedSequence(), "lane 0 is remote: durable there is not yet uploaded");
        c.laneRemote(0, s1);
        assertEquals(s2, c.acknowledgedSequence(), "a local lane's disk is its final storage");
        c.laneRemote(0, 0);
        assertEquals(s1, c.laneRemoteSequence(0), "the remote mark of a lane never goes down");
    }

    @Test
    void shouldStartFromWhatRecoveryFound()
    {
        final CollectionState c = new CollectionState("docs", 2, true);
        c.recovered(40, new long[]{40, 31}, 25);
        assertEquals(40, c.acknowledgedSequence());
        assertEquals(25, c.checkpointSequence());
        assertEquals(41, c.assignLocked(1));
    }
}
