/**
 * What {@code spindle write} and {@code spindle bench} run: the {@link dev.spindle.cli.bench.LoadGenerator}
 * (producers, the acknowledgement watcher, the ack log) and the runs built on it, each on fresh lanes
 * ({@link dev.spindle.cli.bench.Scratch}): the matrix, the flush-threshold sweep (grid, knee, plots, report) and
 * the disk scaling run on throttled loop disks ({@link dev.spindle.cli.bench.LoopDisks},
 * {@link dev.spindle.cli.bench.CgroupThrottle}).
 *
 * <p>Threads: a run is driven by the command's thread, which also prints progress. The load generator's
 * producer threads each own their collections' pending windows (shared collections under a lock); its watcher
 * thread alone records latencies; its ack-log thread alone writes the ack log. The disks' shutdown hook only
 * sets the run's stop flag and, if the run does not end in time, removes the disks.
 */
package dev.spindle.cli.bench;
