/**
 * Turns the JSON files of several JMH rounds into the tables of BENCHMARKS.md: medians over rounds with their
 * spread, and Spindle's figures divided by each peer's and by the disk's ceiling, round by round. Runs once,
 * on the caller's thread.
 */
package dev.spindle.bench.report;
