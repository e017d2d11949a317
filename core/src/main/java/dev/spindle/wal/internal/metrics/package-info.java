/**
 * Metrics: {@code RecordedDistribution}, an HdrHistogram recorder written where things happen (a lane thread, the
 * upload threads) without allocation or locks, and the running total readers take out of it under its monitor.
 * The lanes ({@code LaneMetrics}) and the uploaders ({@code UploadLag}) each own theirs; {@code Wal.metrics()}
 * reads them from the caller's thread.
 */
package dev.spindle.wal.internal.metrics;
