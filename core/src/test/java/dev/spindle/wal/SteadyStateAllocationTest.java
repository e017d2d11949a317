package dev.spindle.wal;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot path allocates nothing per append in steady state: neither the producer (claim, copy,
 * publish) nor the lane thread (encode, group commit, watermarks). Measured with the JVM's per-thread
 * allocation counter over 200,000 appends after warm-up; a few KiB of slack covers one-off
 * allocations (the waiting strategy object of {@code awaitAcknowledged}), while a single allocated
 * object per append would show as megabytes. The JMH benchmark in {@code bench} shows the same with
 * {@code -prof gc}. Metadata is a {@code HashMap}: its {@code forEach} allocates nothing (iterating a
 * {@code Map.of} map does).
 *
 * <p>Rolling to a new segment allocates a little (paths, the header, the file's channel): at most
 * {@link #PER_ROLL} bytes, which at the default 64 MiB segment and 4 KiB entries is under 1 byte per
 * append. Avro's {@code DataFileWriter} once built each header and allocated about 110 KiB per roll.
 *
 * <p>With a codec, each block is compressed as it closes into the lane's one output buffer: nothing per block
 * either, where Avro's own {@code Codec.compress} allocates a buffer for every block.
 */
class SteadyStateAllocationTest
{
    private static final int APPENDS = 200_000;
    private static final long SLACK = 64 * 1024;
    private static final long PER_ROLL = 16 * 1024;

    @TempDir
    Path dir;

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"pwrite,false,NULL", "pwrite,true,NULL", "mmap,false,NULL",
        "pwrite,false,ZSTANDARD", "pwrite,false,SNAPPY", "pwrite,false,DEFLATE", "mmap,false,ZSTANDARD"})
    void shouldAllocateNothingPerAppendInSteadyState(final IoMode ioMode, final boolean pwritePreallocate,
        final Codec codec)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final WalOptions options = WalOptions.builder().walUrls(dir.toString()).ioMode(ioMode)
            .pwritePreallocate(pwritePreallocate).codec(codec)
            .diskSegmentSizeBytes(256L * 1024 * 1024).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection collection = wal.collection("hot");
            final Entry entry = new Entry();
            final byte[] key = new byte[16];
            final byte[] value = new byte[100];
            final float[] vector = new float[8];
            final Map<String, String> metadata = new HashMap<>(Map.of("tenant", "acme", "kind", "order"));
            append(collection, entry, key, value, vector, metadata);        // warm-up: JIT, ring slots, buffers
            append(collection, entry, key, value, vector, metadata);

            final Thread lane = laneThread();
            final long producerBefore = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            final long laneBefore = threads.getThreadAllocatedBytes(lane.getId());
            append(collection, entry, key, value, vector, metadata);
            final long producer = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - producerBefore;
            final long laneBytes = threads.getThreadAllocatedBytes(lane.getId()) - laneBefore;

            assertTrue(producer < SLACK, "producer allocated " + producer + " bytes over " + APPENDS + " appends");
            assertTrue(laneBytes < SLACK, "lane thread allocated " + laneBytes + " bytes over " + APPENDS + " appends");
        }
    }

    /**
     * Many collections per batch: their blocks borrow staging buffers from the lane's pool and give them back at
     * each commit, so once the pool holds what a batch needs nothing is allocated.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = SyncMode.class, names = {"PerBatch", "Never"})
    void shouldAllocateNothingPerAppendAcrossManyCollections(final SyncMode syncMode)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final WalOptions options = WalOptions.builder().walUrls(dir.toString()).ioMode(IoMode.pwrite)
            .syncMode(syncMode).diskSegmentSizeBytes(256L * 1024 * 1024).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection[] collections = new WalCollection[16];
            for (int c = 0; c < collections.length; c++)
            {
                collections[c] = wal.collection("hot" + c);
            }
            final Entry entry = new Entry();
            final byte[] value = new byte[1000];
            append(collections, entry, value);        // warm-up: JIT, ring slots, the lane's staging buffers
            append(collections, entry, value);

            final Thread lane = laneThread();
            final long before = threads.getThreadAllocatedBytes(lane.getId());
            append(collections, entry, value);
            final long laneBytes = threads.getThreadAllocatedBytes(lane.getId()) - before;

            assertTrue(laneBytes < SLACK, "lane thread allocated " + laneBytes + " bytes over " + APPENDS + " appends");
        }
    }

    private static void append(final WalCollection[] collections, final Entry entry, final byte[] value)
    {
        final long[] last = new long[collections.length];
        for (int i = 0; i < APPENDS; i++)
        {
            value[0] = (byte)i;
            entry.clear().op(Op.UPDATE).value(value);
            final int c = i % collections.length;
            last[c] = collections[c].append(entry);
        }
        for (int c = 0; c < collections.length; c++)
        {
            collections[c].awaitAcknowledged(last[c]);
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(IoMode.class)
    void shouldAllocateLittlePerSegmentRoll(final IoMode ioMode) throws java.io.IOException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final WalOptions options = WalOptions.builder().walUrls(dir.toString()).ioMode(ioMode)
            .diskSegmentSizeBytes(1024 * 1024).build();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection collection = wal.collection("rolls");
            final Entry entry = new Entry();
            final byte[] value = new byte[4096];
            append(collection, entry, value, 5_000);                     // warm-up: JIT, classes, buffers
            final Path collectionDir = dir.resolve("rolls");
            final long filesBefore = segmentFiles(collectionDir);
            final Thread lane = laneThread();
            final long before = threads.getThreadAllocatedBytes(lane.getId());
            append(collection, entry, value, 10_000);                    // about 40 MiB: 40 rolls
            final long laneBytes = threads.getThreadAllocatedBytes(lane.getId()) - before;
            final long rolls = segmentFiles(collectionDir) - filesBefore;

            assertTrue(rolls >= 20, "only " + rolls + " rolls");
            assertTrue(laneBytes < rolls * PER_ROLL + SLACK,
                "lane thread allocated " + laneBytes + " bytes over " + rolls + " rolls");
        }
    }

    private static void append(final WalCollection collection, final Entry entry, final byte[] value, final int n)
    {
        long last = 0;
        for (int i = 0; i < n; i++)
        {
            value[0] = (byte)i;
            entry.clear().op(Op.UPDATE).value(value);
            last = collection.append(entry);
        }
        collection.awaitAcknowledged(last);
    }

    private static long segmentFiles(final Path collectionDir) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(collectionDir))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(".avro")).count();
        }
    }

    private static void append(final WalCollection collection, final Entry entry, final byte[] key, final byte[] value,
        final float[] vector, final Map<String, String> metadata)
    {
        long last = 0;
        for (int i = 0; i < APPENDS; i++)
        {
            key[0] = (byte)i;
            value[0] = (byte)i;
            entry.clear().op(Op.UPDATE).key(key).value(value).vector(vector).metadata(metadata).version(i);
            last = collection.append(entry);
        }
        collection.awaitAcknowledged(last);
    }

    private static Thread laneThread()
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals("spindle-lane-0"))
            {
                return t;
            }
        }
        throw new AssertionError("no lane thread");
    }
}
