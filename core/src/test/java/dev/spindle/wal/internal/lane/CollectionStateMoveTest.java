package dev.spindle.wal.internal.lane;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A move off a failed lane, with threads computing the watermarks all the while: no watermark may be left counting
 * the failed lane's void entries. Found by review: the move installed its new stored marks before it changed the
 * counters, so a computation that read the new marks and an old {@code lastAssigned} stored 10 where the move had
 * made everything above 3 void (in about one move in five for the written watermark, more for the durable one).
 */
class CollectionStateMoveTest
{
    private static final int MOVES = 100_000;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void noWatermarkCountsVoidEntriesAfterAMove(final boolean durable) throws Exception
    {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong computed = new AtomicLong();
        final CollectionState[] current = new CollectionState[1];
        final Thread[] readers = new Thread[3];
        for (int r = 0; r < readers.length; r++)
        {
            readers[r] = new Thread(() -> {
                while (running.get())
                {
                    final CollectionState s;
                    synchronized (current)
                    {
                        s = current[0];
                    }
                    if (s != null)
                    {
                        if (durable)
                        {
                            s.durableSequence();
                        }
                        else
                        {
                            s.writtenSequence();
                        }
                    }
                    computed.incrementAndGet();
                }
            }, "watermark-reader-" + r);
            readers[r].start();
        }
        int wrong = 0;
        try
        {
            for (int i = 0; i < MOVES; i++)
            {
                final CollectionState s = new CollectionState("c", 2, durable);
                s.lock();
                for (int k = 0; k < 10; k++)
                {
                    s.assignLocked(0);
                }
                s.unlock();
                s.laneWritten(0, 10);
                s.laneDurable(0, 3);    // 4..10 written on lane 0, not durable: void once the move resumes at 4
                synchronized (current)
                {
                    current[0] = s;
                }
                for (int spin = 0; spin < i % 50; spin++)
                {
                    Thread.onSpinWait();
                }
                s.lock();
                s.moveAway(0, 4);
                s.unlock();
                final long seen = computed.get();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (computed.get() < seen + 6 && System.nanoTime() - deadline < 0)
                {
                    Thread.onSpinWait();    // let the readers compute across and after the move
                }
                if (s.writtenSequence() > 3 || s.durableSequence() > 3)
                {
                    wrong++;
                }
            }
        }
        finally
        {
            running.set(false);
            for (final Thread reader : readers)
            {
                reader.join(TimeUnit.SECONDS.toMillis(10));
                assertTrue(!reader.isAlive(), reader.getName() + " stopped");
            }
        }
        assertEquals(0, wrong, "moves after which a watermark still counted the void entries 4..10");
    }

    /**
     * A collection leaves a failed remote lane (its staging failed) with entries 4..8 sealed there, acknowledged
     * ({@code ack = "local"}) and not uploaded: the remote-durable watermark stays below them, however far the new
     * lane gets, until they are uploaded (or a checkpoint passes them), while the durable one goes on.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theRemoteDurableWatermarkWaitsForWhatAFailedRemoteLaneStagedBelowTheMove(final boolean checkpoint)
    {
        final CollectionState s = new CollectionState("c", 2, true, new boolean[]{true, false}, false);
        s.lock();
        for (int k = 0; k < 10; k++)
        {
            s.assignLocked(0);
        }
        s.unlock();
        s.laneDurable(0, 8);    // 9..10 were written, never made durable: void once the move resumes at 9
        s.laneRemote(0, 3);
        assertEquals(3, s.remoteDurableSequence());
        s.lock();
        s.moveAway(0, 9);
        for (int k = 0; k < 5; k++)
        {
            s.assignLocked(1);    // 9..13 on the local lane
        }
        s.unlock();
        s.laneDurable(1, 13);
        assertEquals(13, s.durableSequence());
        assertEquals(3, s.remoteDurableSequence(), "4..8 are staged in the failed remote lane, not uploaded");
        assertTrue(s.notUploadedOn(0));
        assertFalse(s.notUploadedOn(1), "a local lane's final storage is its disk");
        if (checkpoint)
        {
            s.checkpointSequence(8);    // deleted, never to be uploaded
        }
        else
        {
            s.laneRemote(0, 8);
        }
        assertFalse(s.notUploadedOn(0));
        assertEquals(13, s.remoteDurableSequence());
    }

    @Test
    void aLocalLaneTheCollectionLeftNoLongerCountsForAnyWatermark()
    {
        final CollectionState s = new CollectionState("c", 2, true, new boolean[]{false, true}, false);
        s.lock();
        for (int k = 0; k < 10; k++)
        {
            s.assignLocked(0);
        }
        s.unlock();
        s.laneDurable(0, 8);
        s.lock();
        s.moveAway(0, 9);
        s.assignLocked(1);
        s.unlock();
        s.laneDurable(1, 9);
        s.laneRemote(1, 9);
        assertEquals(9, s.durableSequence());
        assertEquals(9, s.remoteDurableSequence());
        assertFalse(s.notUploadedOn(0));
    }
}
