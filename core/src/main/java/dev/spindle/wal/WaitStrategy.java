package dev.spindle.wal;

/**
 * How an idle lane thread waits for the next entry. The trade is latency against a burnt core.
 */
public enum WaitStrategy
{
    /**
     * Park on a monitor: no CPU when idle; an append that finds the lane parked wakes it, a system call on the
     * appender's thread (about 10 µs at p90-p99 on a 2-vCPU machine). An append to a lane that is running takes no
     * lock (the Disruptor's {@code LiteBlockingWaitStrategy}). The default.
     */
    blocking,
    /**
     * Busy-spin after each batch (about 60-70 µs, yielding now and then), then park as {@code blocking} does: no CPU
     * when idle. With appends less than about 65 µs apart the lane never parks, so appends never wake it, but it
     * spins almost all the time, a core per lane; with sparser appends it is {@code blocking} plus that spin per
     * batch.
     */
    backoff,
    /**
     * Spin, then yield, then sleep briefly: low CPU when idle, tens of microseconds to wake. An append never wakes
     * the lane: the call's own latency is lowest with it.
     */
    sleeping,
    /** Spin then {@link Thread#yield()}: low latency; uses a core while idle. */
    yielding,
    /** Spin: the lowest latency; burns a core per lane. Only with spare cores. */
    busy_spin
}
