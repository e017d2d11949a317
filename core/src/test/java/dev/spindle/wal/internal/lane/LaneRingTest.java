package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.spindle.wal.WaitStrategy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Each {@code wait_strategy} is the Disruptor strategy its documentation names.
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
}
