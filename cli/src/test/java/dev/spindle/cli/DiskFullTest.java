package dev.spindle.cli;

import dev.spindle.config.SpindleConfig;
import dev.spindle.wal.IoMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lane on a 16 MiB tmpfs fills up. The writer (a child JVM) must get an error and exit with 1 —
 * not die of SIGBUS, which a mapping over unallocated blocks would cause — and every acknowledged
 * entry must still be there after restart. After a checkpoint frees space, writing works again. The error is
 * one line, as every error of the command line; its stack trace comes only with {@code SPINDLE_DEBUG=1}.
 * Needs root (mount); CI runs as root.
 */
class DiskFullTest
{
    private static final long SEED = 11;

    @TempDir
    Path dir;

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"pwrite,false", "pwrite,true", "mmap,false"})
    void shouldFailAppendsCleanlyAndKeepEveryAcknowledgedEntryWhenTheDiskIsFull(final IoMode ioMode,
        final boolean pwritePreallocate) throws Exception
    {
        Child.requireRoot("mounting a tmpfs needs root");
        final Path mount = dir.resolve("small");
        Mounts.tmpfs(mount, "16m");
        try
        {
            final Path config = dir.resolve("spindle.toml");
            Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + mount.resolve("wal") + "\"]\n" +
                "io_mode = \"" + ioMode + "\"\ndisk_segment_size = \"4 MiB\"\npreallocate_chunk_bytes = \"1 MiB\"\n" +
                "pwrite_preallocate = " + pwritePreallocate + "\n");
            final Path ackLog = dir.resolve("ack.log");
            final Child writer = Child.start(dir, "write", "--config", config.toString(), "--collections", "3",
                "--entries", "1000000", "--entry-size", "1000", "--threads", "2", "--seed", Long.toString(SEED),
                "--ack-log", ackLog.toString(), "--quiet");
            final int exit = writer.waitFor(180);
            final String stderr = writer.stderr();
            assertEquals(SpindleCli.DATA_PROBLEM, exit, "the writer must fail with exit 1, not crash:\n" + stderr);
            assertTrue(stderr.contains("No space left on device"), stderr);
            assertFalse(stderr.contains("\tat "), "a stack trace only with SPINDLE_DEBUG=1:\n" + stderr);
            assertTrue(!stderr.contains("SIGBUS") && !stderr.contains("A fatal error has been detected"), stderr);

            final Map<String, Long> acknowledged = AckLog.read(ackLog);
            assertTrue(acknowledged.values().stream().mapToLong(Long::longValue).sum() > 1000,
                "acknowledged before the disk filled: " + acknowledged);
            Survivors.check(SpindleConfig.load(config), acknowledged, SEED, ioMode + " after disk full");

            final Child again = Child.start(dir, "write", "--config", config.toString(), "--collections", "3",
                "--entries", "3000", "--entry-size", "1000", "--threads", "2", "--seed", Long.toString(SEED),
                "--ack-log", ackLog.toString(), "--quiet");
            assertEquals(SpindleCli.OK, again.waitFor(120), () -> "after freeing space: " + again.stderrOrNothing());
            Survivors.check(SpindleConfig.load(config), AckLog.read(ackLog), SEED, ioMode + " after space was freed");
        }
        finally
        {
            Mounts.unmount(mount);
        }
    }

    @Test
    void shouldPrintTheStackTraceOfTheFailureOnlyWithSpindleDebug() throws Exception
    {
        Child.requireRoot("mounting a tmpfs needs root");
        final Path mount = dir.resolve("small");
        Mounts.tmpfs(mount, "16m");
        try
        {
            final Path config = dir.resolve("spindle.toml");
            Files.writeString(config, "[storage.wal_config]\nwal_urls = [\"" + mount.resolve("wal") + "\"]\n" +
                "disk_segment_size = \"4 MiB\"\n");
            final Child writer = Child.start(dir, Map.of("SPINDLE_DEBUG", "1"), "write", "--config", config.toString(),
                "--collections", "3", "--entries", "1000000", "--entry-size", "1000", "--seed", "1", "--quiet");
            assertEquals(SpindleCli.DATA_PROBLEM, writer.waitFor(180), writer.stderrOrNothing());
            final String stderr = writer.stderr();
            assertTrue(stderr.contains("java.io.IOException: No space left on device") && stderr.contains("\tat "),
                stderr);
        }
        finally
        {
            Mounts.unmount(mount);
        }
    }
}
