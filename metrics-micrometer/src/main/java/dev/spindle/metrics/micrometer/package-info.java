/**
 * Spindle's metrics for Micrometer: {@code SpindleMetrics}, a {@code MeterBinder} over {@code Wal.metrics()}.
 * Meters are read on the registry's thread (a scrape); they share one snapshot at most a second old.
 */
package dev.spindle.metrics.micrometer;
