/**
 * Spindle against the writers its users would otherwise use, in the same JMH run, on the same entries and at
 * the same durability, and the disk's own ceiling.
 *
 * <p>Every benchmark here appends one entry per operation (a 16-byte key and a {@code valueSize}-byte value)
 * from one thread, and makes what it wrote durable once per {@link DurableWriter#SYNC_BYTES} (1 MiB) of
 * appended bytes: Spindle with {@code sync_mode = PerBatch} and {@code memory_flush_size_bytes} = 1 MiB (it
 * forces at each batch's end too, so it syncs at least as often as the peers), the peers by calling their
 * own sync. Files roll at 64 MiB, Spindle's default segment size. {@link DiskCeiling} is the fastest any
 * writer can commit 1 MiB on that disk. {@code dev.spindle.bench.report.Report} divides Spindle's figures by
 * each peer's and by the ceiling.
 *
 * <p>Threads: each JMH trial owns its writer; the writers are single-threaded (Spindle's lane thread is
 * Spindle's own).
 */
package dev.spindle.bench.durable;
