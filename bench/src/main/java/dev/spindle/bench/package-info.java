/**
 * Spindle's JMH benchmarks ({@code bench/target/benchmarks.jar}, run by {@code bench/jmh}): append throughput
 * by sync_mode and io_mode ({@link dev.spindle.bench.ModeBenchmark}), by lanes, collections and threads
 * ({@link dev.spindle.bench.ScaleBenchmark}), latency at the acknowledgement
 * ({@link dev.spindle.bench.LatencyBenchmark}), replay ({@link dev.spindle.bench.ReplayBenchmark}) and encoding
 * ({@link dev.spindle.bench.EncodeBenchmark}); the peers and the disk's ceiling are in
 * {@code dev.spindle.bench.durable}, the report in {@code dev.spindle.bench.report}. The remote-lane benchmark
 * ({@link dev.spindle.bench.RemoteBenchmark}) is a plain main.
 *
 * <p>Threads: JMH's; each trial owns the WAL it opens and deletes.
 */
package dev.spindle.bench;
