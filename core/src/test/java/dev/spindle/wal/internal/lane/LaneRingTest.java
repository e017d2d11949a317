package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.spindle.wal.WaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Each {@code wait_strategy} is the Disruptor strategy its documentation names; a lane thread slow to start still
 * drains what was published before its stop.
 */
class LaneRingTest
{
    @Test
    void shouldMapEveryWaitStrategyToTheDisruptorsOwn()
    {
        assertInstanceOf(LiteBlockingWaitStrategy.class, LaneRing.waitStrategy(WaitStrategy.blocking),
            "blocking parks at once, and a publish signals only a lane that is waiting");
        assertInstanceOf(PhasedBackoffWaitStrategy.class, LaneRing.waitStrategy(WaitStrategy.backoff),
            "backoff spins, then parks");
        assertInstanceOf(SleepingWaitStrategy.class, LaneRing.waitStrategy(WaitStrategy.sleeping));
        assertInstanceOf(YieldingWaitStrategy.class, LaneRing.waitStrategy(WaitStrategy.yielding));
        assertInstanceOf(BusySpinWaitStrategy.class, LaneRing.waitStrategy(WaitStrategy.busy_spin));
    }

    /**
     * Defect 9 of issue 10: entries appended right after open and followed at once by close were lost when the
     * lane thread had not started yet (the Disruptor's shutdown drains only consumers that run). The lane
     * thread here waits 300 ms before it runs; every entry published before stop must still be handled.
     */
    @Test
    void shouldHandleEveryEntryPublishedBeforeStopEvenWhenTheThreadIsSlowToStart()
    {
        final AtomicReference<LaneRing> ring = new AtomicReference<>();
        final List<Long> handled = java.util.Collections.synchronizedList(new ArrayList<>());
        final EventHandler<EntrySlot> handler = new EventHandler<>()
        {
            @Override
            public void onEvent(final EntrySlot slot, final long sequence, final boolean endOfBatch)
            {
                handled.add(sequence);
            }

            @Override
            public void onStart()
            {
                ring.get().threadStarted();
            }

            @Override
            public void onShutdown()
            {
                ring.get().threadStopped();
            }
        };
        final ThreadFactory slowToStart = r -> new Thread(() ->
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
            r.run();
        }, "slow-lane");
        ring.set(new LaneRing(0, "test", WalOptions.builder().walUrls("unused").build(), handler, (doing, ex) -> { },
            slowToStart));
        ring.get().start();
        final RingBuffer<EntrySlot> buffer = ring.get().buffer();
        for (int i = 0; i < 3; i++)
        {
            buffer.publish(buffer.next());
        }
        ring.get().stop();
        assertEquals(List.of(0L, 1L, 2L), handled, "every entry published before stop was handled");
    }
}
