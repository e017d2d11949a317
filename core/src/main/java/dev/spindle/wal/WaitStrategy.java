package dev.spindle.wal;

/**
 * How an idle lane thread waits for the next entry. The trade is latency against a burnt core.
 */
public enum WaitStrategy
{
    /** Park on a lock and condition: no CPU when idle; a few microseconds to wake. The default. */
    blocking,
    /** Spin, then yield, then sleep briefly: low CPU when idle, tens of microseconds to wake. */
    sleeping,
    /** Spin then {@link Thread#yield()}: low latency; uses a core while idle. */
    yielding,
    /** Spin: the lowest latency; burns a core per lane. Only with spare cores. */
    busy_spin
}
