/**
 * The {@code file://} implementation of the filesystem SPI ({@link dev.spindle.fs.WalFileSystem}): a local directory
 * used as an object-store stand-in, where tests, benchmarks and single-machine setups get the object-store
 * semantics (atomic, idempotent puts; paged, sorted listings; ranged reads) from files.
 *
 * <p>It is <em>not</em> on the path of local lanes: a {@code wal_urls} entry that is a path or a {@code file://} URL
 * is a local lane, which writes, seals and recovers its segments in place and never opens a file system through
 * this backend. This module depends on the public SPI only ({@code dev.spindle.fs}), never on the WAL's internals.
 *
 * <p>Threads: {@link dev.spindle.fs.local.LocalFileSystem} holds no state but its root, so any thread may call it
 * for different keys at once (the uploader never puts one key from two threads); durability comes from fsync of
 * each file and of its directory, not from locks.
 */
package dev.spindle.fs.local;
