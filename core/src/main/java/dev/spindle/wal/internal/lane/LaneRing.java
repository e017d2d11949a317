package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.spindle.wal.WalOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiConsumer;

/**
 * Wires a lane's Disruptor: {@code ring_buffer_size} preallocated {@link EntrySlot}s, many producers, the
 * configured wait strategy, one daemon thread {@code spindle-lane-N} running the {@link BatchWriter}, and an
 * exception handler that fails the lane (on the lane thread) instead of letting the Disruptor log and go on.
 */
final class LaneRing
{
    private static final Logger LOG = LoggerFactory.getLogger(LaneRing.class);

    private LaneRing()
    {
    }

    /**
     * @param fail fails the lane: what it was doing, and why.
     */
    static Disruptor<EntrySlot> create(final int index, final String url, final WalOptions options,
        final BatchWriter writer, final BiConsumer<String, Throwable> fail)
    {
        final Disruptor<EntrySlot> disruptor = new Disruptor<>(EntrySlot::new, options.ringBufferSize(),
            r -> {
                final Thread t = new Thread(r, "spindle-lane-" + index);
                t.setDaemon(true);
                return t;
            },
            ProducerType.MULTI, waitStrategy(options.waitStrategy()));
        disruptor.handleEventsWith(writer);
        disruptor.setDefaultExceptionHandler(new ExceptionHandler<>()
        {
            @Override
            public void handleEventException(final Throwable ex, final long sequence, final EntrySlot event)
            {
                fail.accept("processing ring slot " + sequence, ex);
            }

            @Override
            public void handleOnStartException(final Throwable ex)
            {
                fail.accept("starting", ex);
            }

            @Override
            public void handleOnShutdownException(final Throwable ex)
            {
                LOG.warn("lane {} ({}): error while stopping", index, url, ex);
            }
        });
        return disruptor;
    }

    private static WaitStrategy waitStrategy(final dev.spindle.wal.WaitStrategy strategy)
    {
        switch (strategy)
        {
            case busy_spin:
                return new BusySpinWaitStrategy();
            case yielding:
                return new YieldingWaitStrategy();
            case sleeping:
                return new SleepingWaitStrategy();
            case blocking:
            default:
                return new BlockingWaitStrategy();
        }
    }
}
