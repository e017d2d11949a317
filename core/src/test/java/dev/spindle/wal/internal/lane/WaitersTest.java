package dev.spindle.wal.internal.lane;

import dev.spindle.wal.WalException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.spindle.wal.WalTestSupport.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waiters parked on a collection's watermark: the thread that moves the watermark wakes exactly those whose
 * sequence it reached; a full set of slots falls back to polling; a closed WAL is seen by a parked waiter.
 */
class WaitersTest
{
    private static final long DEADLINE_MS = 10_000;

    @Test
    void shouldWakeAWaiterWhenTheWatermarkReachesItsSequenceAndNotBefore() throws Exception
    {
        final CollectionState c = new CollectionState("docs", 1, true);
        final long s1 = c.assignLocked(0);
        final long s2 = c.assignLocked(0);
        final Waiters waiters = c.waiters();
        final CompletableFuture<Integer> slot = new CompletableFuture<>();
        final Thread waiter = new Thread(() -> {
            slot.complete(waiters.add(Watermark.ACKNOWLEDGED, s2));
            while (c.acknowledgedSequence() < s2)
            {
                LockSupport.park(waiters);    // no bound: only an unpark (or a rare spurious return) ends it
            }
            waiters.remove(slot.join());
        }, "waiter");
        waiter.setDaemon(true);
        waiter.start();
        assertEquals(0, slot.get(DEADLINE_MS, TimeUnit.MILLISECONDS), "the first slot");
        eventually(DEADLINE_MS, "the waiter parks", () -> LockSupport.getBlocker(waiter) == waiters);

        c.laneDurable(0, s1);    // reaches 1, not 2: were the waiter woken, it would look and park again
        c.laneDurable(0, s2);
        waiter.join(DEADLINE_MS);
        assertTrue(!waiter.isAlive(), "the lane's watermark store woke the waiter");
        assertEquals(0, waiters.add(Watermark.ACKNOWLEDGED, 3), "its slot was given back");
    }

    @Test
    void shouldPollWhenEverySlotIsTakenAndStillSeeTheAcknowledgement() throws Exception
    {
        final CollectionState c = new CollectionState("docs", 1, false);
        final long s1 = c.assignLocked(0);
        for (int i = 0; i < Waiters.SLOTS; i++)
        {
            assertEquals(i, c.waiters().add(Watermark.ACKNOWLEDGED, Long.MAX_VALUE));
        }
        assertEquals(-1, c.waiters().add(Watermark.ACKNOWLEDGED, s1), "no slot left");
        final WatermarkWaits waits = new WatermarkWaits(new Lane[0], new OpenGate(), false);
        final CompletableFuture<Boolean> reached = new CompletableFuture<>();
        final Thread poller = new Thread(() -> reached.complete(
            waits.await(c, s1, Watermark.ACKNOWLEDGED, TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS))), "poller");
        poller.setDaemon(true);
        poller.start();
        // past its spins and yields, polling parks (without a blocker, unlike a registered waiter)
        eventually(DEADLINE_MS, "the waiter polls", () -> poller.getState() == Thread.State.TIMED_WAITING &&
            LockSupport.getBlocker(poller) == null);
        c.laneWritten(0, s1);
        assertTrue(reached.get(DEADLINE_MS, TimeUnit.MILLISECONDS));
    }

    @Test
    void shouldParkAnInterruptedWaiterAndGiveItsInterruptBack() throws Exception
    {
        final CollectionState c = new CollectionState("docs", 1, true);
        final long s1 = c.assignLocked(0);
        final WatermarkWaits waits = new WatermarkWaits(new Lane[0], new OpenGate(), false);
        final CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        final Thread waiter = new Thread(() -> {
            Thread.currentThread().interrupt();
            waits.await(c, s1, Watermark.ACKNOWLEDGED, -1);
            stillInterrupted.complete(Thread.currentThread().isInterrupted());
        }, "waiter");
        waiter.setDaemon(true);
        waiter.start();
        // with the interrupt left set every park would return at once: the wait holds it back while it parks
        eventually(DEADLINE_MS, "the interrupted waiter parks with its interrupt held back", () ->
            LockSupport.getBlocker(waiter) == waits && !waiter.isInterrupted());
        c.laneDurable(0, s1);
        assertTrue(stillInterrupted.get(DEADLINE_MS, TimeUnit.MILLISECONDS), "the interrupt is given back");
    }

    @Test
    void shouldEndAParkedWaitWhenTheWalCloses() throws Exception
    {
        final CollectionState c = new CollectionState("docs", 1, true);
        final long s1 = c.assignLocked(0);
        final OpenGate gate = new OpenGate();
        final WatermarkWaits waits = new WatermarkWaits(new Lane[0], gate, false);
        final CompletableFuture<Boolean> wait = new CompletableFuture<>();
        final Thread waiter = new Thread(() -> {
            try
            {
                wait.complete(waits.await(c, s1, Watermark.DURABLE, -1));
            }
            catch (final Throwable t)
            {
                wait.completeExceptionally(t);
            }
        }, "waiter");
        waiter.setDaemon(true);
        waiter.start();
        eventually(DEADLINE_MS, "the waiter parks", () -> LockSupport.getBlocker(waiter) == waits);
        gate.close();
        final Exception e = assertThrows(Exception.class, () -> wait.get(DEADLINE_MS, TimeUnit.MILLISECONDS));
        assertTrue(e.getCause() instanceof WalException && e.getCause().getMessage().contains("closed before"),
            e.toString());
    }
}
