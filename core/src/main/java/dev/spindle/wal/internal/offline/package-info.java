/**
 * Reading a WAL that is not open for writing: {@code OfflineWal} (behind {@code WalReader}), {@code Verification}
 * (behind {@code WalVerifier}) and {@code SegmentDump} (one file). No lock is taken and nothing changes on disk.
 * The caller's thread owns everything here.
 */
package dev.spindle.wal.internal.offline;
