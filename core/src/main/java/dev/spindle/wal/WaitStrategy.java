package dev.spindle.wal;

/**
 * How an idle lane thread waits for the next entry. The trade is latency against a burnt core.
 */
public enum WaitStrategy
{
    /**
     * Spin about 10 µs, yield until about 50 µs, then park on a lock and condition: no CPU when idle, and an append
     * that finds the lane parked wakes it (a system call, a few microseconds). Under a steady load the lane is
     * rarely parked when the next entry comes, so appends rarely pay that. The default.
     */
    blocking,
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
