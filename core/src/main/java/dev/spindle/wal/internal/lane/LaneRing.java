package dev.spindle.wal.internal.lane;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.PhasedBackoffWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A lane's Disruptor and the life of its thread: {@code ring_buffer_size} preallocated {@link EntrySlot}s, many
 * producers, the configured wait strategy, one daemon thread {@code spindle-lane-N} running the
 * {@link BatchWriter}, and an exception handler that fails the lane (on the lane thread) instead of letting the
 * Disruptor log and go on. Started and stopped by the thread that opens and closes the WAL; ticks come from any.
 *
 * <p>Design note: {@link #start} returns only once the thread runs. The Disruptor's {@code shutdown} drains
 * only consumers that are running and halts one that has not started yet, which then exits without processing
 * anything: entries appended right after open and followed at once by close were silently dropped.
 */
final class LaneRing
{
    private static final Logger LOG = LoggerFactory.getLogger(LaneRing.class);
    /**
     * {@code backoff}: the Disruptor spins until about 10 µs, then yields now and then until 10 + 50 µs, then parks.
     * It looks at the clock only every 10,000 spins, so in practice the lane parks after about 60-70 µs.
     */
    private static final long SPIN_MICROS = 10;
    private static final long YIELD_MICROS = 50;
    /** How long an appender that published while the WAL closed waits for the lane thread to stop. */
    private static final long STOP_WAIT_SECONDS = 180;

    private final int index;
    private final String url;
    private final Disruptor<EntrySlot> disruptor;
    private final RingBuffer<EntrySlot> buffer;
    private final EventHandler<EntrySlot> writer;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Read by any thread that ticks (the timer, upload threads handing over a failure). */
    private volatile boolean started;
    /** The lane thread, once it runs. */
    private volatile Thread thread;

    /**
     * @param fail fails the lane: what it was doing, and why.
     */
    LaneRing(final int index, final String url, final WalOptions options, final BatchWriter writer,
        final BiConsumer<String, Throwable> fail)
    {
        this(index, url, options, writer, fail, r -> {
            final Thread t = new Thread(r, "spindle-lane-" + index);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param writer drains the ring; its {@code onStart} and {@code onShutdown} must call {@link #threadStarted}
     *     and {@link #threadStopped}.
     * @param threads makes the lane thread (tests make one that is slow to start).
     */
    LaneRing(final int index, final String url, final WalOptions options, final EventHandler<EntrySlot> writer,
        final BiConsumer<String, Throwable> fail, final ThreadFactory threads)
    {
        this.index = index;
        this.url = url;
        this.writer = writer;
        this.disruptor = new Disruptor<>(EntrySlot::new, options.ringBufferSize(), threads,
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
        this.buffer = disruptor.getRingBuffer();
    }

    RingBuffer<EntrySlot> buffer()
    {
        return buffer;
    }

    /**
     * Start the thread and wait until it runs.
     *
     * @throws WalException when it does not start within a minute.
     */
    void start()
    {
        disruptor.start();
        started = true;
        try
        {
            if (!running.await(60, TimeUnit.SECONDS))
            {
                disruptor.halt();    // a thread that starts later exits at once instead of waiting forever
                throw new WalException("lane " + index + " (" + url + "): its thread did not start within 60 s");
            }
        }
        catch (final InterruptedException ex)
        {
            disruptor.halt();
            Thread.currentThread().interrupt();
            throw new WalException("interrupted while lane " + index + " (" + url + ") was starting", ex);
        }
    }

    /** The lane thread runs (its handler's {@code onStart}, on that thread). */
    void threadStarted()
    {
        thread = Thread.currentThread();
        running.countDown();
    }

    /** @return whether the calling thread is this lane's thread (a future's callback runs there). */
    boolean isLaneThread()
    {
        return thread == Thread.currentThread();
    }

    /** The lane thread has stopped (its handler's {@code onShutdown}). */
    void threadStopped()
    {
        stopped.countDown();
    }

    /**
     * Publish a timer tick if the ring has room (never blocks).
     */
    void tick()
    {
        if (!started)
        {
            return;
        }
        try
        {
            final long sequence = buffer.tryNext();
            buffer.get(sequence).tick();
            buffer.publish(sequence);
        }
        catch (final InsufficientCapacityException ex)
        {
            // a full ring has batch ends of its own
        }
    }

    /**
     * Drain the ring and stop the thread. Afterwards the calling thread owns the lane's files.
     */
    void stop()
    {
        if (!started)
        {
            stopped.countDown();
            return;
        }
        try
        {
            disruptor.shutdown(60, TimeUnit.SECONDS);
        }
        catch (final com.lmax.disruptor.TimeoutException ex)
        {
            LOG.warn("lane {} ({}): ring not drained after 60 s; stopping anyway", index, url);
            disruptor.halt();
        }
        try
        {
            if (!stopped.await(60, TimeUnit.SECONDS))
            {
                LOG.warn("lane {} ({}): lane thread did not stop within 60 s", index, url);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Any thread but a lane thread: wait until the lane thread has stopped (through interrupts, which are given
     * back; at most {@code STOP_WAIT_SECONDS}), then say whether it took ring slot {@code sequence} before it did.
     * An appender that published while the WAL was closing asks, since the ring may have been drained and halted
     * between its look at the gate and its publish.
     *
     * @return true or false, or null when the lane thread did not stop in time: nobody can tell.
     */
    Boolean tookBeforeStopping(final long sequence)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    if (!stopped.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                    {
                        return null;
                    }
                    return disruptor.getSequenceValueFor(writer) >= sequence;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    static WaitStrategy waitStrategy(final dev.spindle.wal.WaitStrategy strategy)
    {
        switch (strategy)
        {
            case busy_spin:
                return new BusySpinWaitStrategy();
            case yielding:
                return new YieldingWaitStrategy();
            case sleeping:
                return new SleepingWaitStrategy();
            case backoff:
                // the Disruptor's own: spin, then yield now and then, then block on a lock
                return PhasedBackoffWaitStrategy.withLiteLock(SPIN_MICROS, YIELD_MICROS, TimeUnit.MICROSECONDS);
            case blocking:
            default:
                // the Disruptor's lock with the signal elided while the lane runs: BlockingWaitStrategy takes a
                // monitor and calls notifyAll on every publish, 18 % of the producer's time at 256 B; here a publish
                // takes the lock only when the lane has said, by an atomic flag set before it last looked at the
                // cursor, that it is about to wait (the flag's getAndSet on both sides is what keeps a wake-up from
                // being missed)
                return new LiteBlockingWaitStrategy();
        }
    }
}
