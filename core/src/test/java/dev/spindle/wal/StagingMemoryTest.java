package dev.spindle.wal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The direct memory a pwrite lane keeps for staging blocks is bounded per lane, not per collection: a
 * collection's segment borrows a buffer from the lane's pool while it has an open block and gives it back
 * once the block is written. Issue 10 (item 3): every collection ever written kept its own
 * {@code memory_flush_size_bytes + 64 KiB} buffer until close, so 240 collections of one 16-byte entry
 * each ran a lane out of a 256 MiB {@code -XX:MaxDirectMemorySize}.
 */
class StagingMemoryTest
{
    private static final int COLLECTIONS = 300;
    private static final long MiB = 1024 * 1024;
    /** Far below the 300 MiB the old buffers took; above what the lane keeps (a handful of spares). */
    private static final long BOUND = 48 * MiB;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldKeepStagingMemoryBoundedWhenManyCollectionsAreWritten(final boolean oneBatch)
    {
        final WalOptions options = WalOptions.builder().walUrls(dir.toString()).ioMode(IoMode.pwrite).build();
        try (Wal wal = Wal.open(options))
        {
            appendAcknowledged(wal, "warm-up", 16);
            final long before = directMemoryUsed();
            if (oneBatch)
            {
                // asynchronous appends: many collections share a batch, so many buffers are lent at once
                final List<CompletableFuture<Long>> acks = new ArrayList<>();
                for (int c = 0; c < COLLECTIONS; c++)
                {
                    acks.add(wal.appendAsync("c" + c, new Entry().value(new byte[16])));
                }
                acks.forEach(CompletableFuture::join);
            }
            else
            {
                for (int c = 0; c < COLLECTIONS; c++)
                {
                    appendAcknowledged(wal, "c" + c, 16);
                }
            }
            long grown = Long.MAX_VALUE;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((grown = directMemoryUsed() - before) >= BOUND && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();    // a buffer's memory goes back once its cleaner has run after a GC
            }
            assertTrue(grown < BOUND, COLLECTIONS + " collections of one entry each hold " + grown / MiB +
                " MiB of direct memory");
        }
    }

    @Test
    void shouldFreeABufferGrownForAHugeEntryOnceIdle() throws InterruptedException
    {
        final WalOptions options = WalOptions.builder().walUrls(dir.toString()).ioMode(IoMode.pwrite).build();
        try (Wal wal = Wal.open(options))
        {
            appendAcknowledged(wal, "small", 16);
            final long before = directMemoryUsed();
            appendAcknowledged(wal, "huge", (int)(12 * MiB));
            appendAcknowledged(wal, "small", 16);
            long kept = Long.MAX_VALUE;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && (kept = directMemoryUsed() - before) >= 8 * MiB)
            {
                Thread.onSpinWait();    // the lane lets spares go at its timer ticks, about once a second
            }
            assertTrue(kept < 8 * MiB, "a 12 MiB entry left " + kept / MiB + " MiB of direct memory behind");
        }
    }

    /**
     * The repro of the issue, as a user meets it: a JVM with little direct memory writing many collections.
     */
    @Test
    void shouldWriteManyCollectionsUnderASmallMaxDirectMemorySize() throws IOException, InterruptedException
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process child = new ProcessBuilder(java.toString(), "-XX:MaxDirectMemorySize=64m",
            "-cp", System.getProperty("java.class.path"), ManyCollections.class.getName(), dir.toString(),
            String.valueOf(COLLECTIONS))
            .redirectErrorStream(true).start();
        final String output = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("wrote " + COLLECTIONS), output);
    }

    /** The child JVM: one 16-byte entry, acknowledged, into each of N collections of one pwrite lane. */
    public static final class ManyCollections
    {
        public static void main(final String[] args)
        {
            final int collections = Integer.parseInt(args[1]);
            try (Wal wal = Wal.open(WalOptions.builder().walUrls(args[0]).ioMode(IoMode.pwrite).build()))
            {
                for (int c = 0; c < collections; c++)
                {
                    appendAcknowledged(wal, "c" + c, 16);
                }
            }
            System.out.println("wrote " + collections);
        }
    }

    static void appendAcknowledged(final Wal wal, final String collection, final int valueBytes)
    {
        final WalCollection c = wal.collection(collection);
        c.awaitAcknowledged(c.append(new Entry().value(new byte[valueBytes])));
    }

    /**
     * @return bytes of direct buffers in use, after a GC has freed the unreachable ones.
     */
    static long directMemoryUsed()
    {
        BufferPoolMXBean direct = null;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if (pool.getName().equals("direct"))
            {
                direct = pool;
            }
        }
        System.gc();    // what is unreachable goes back once its cleaner has run (callers poll, with a deadline)
        return direct.getMemoryUsed();
    }
}
