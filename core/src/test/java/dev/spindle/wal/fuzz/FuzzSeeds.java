package dev.spindle.wal.fuzz;

import dev.spindle.wal.Entry;
import dev.spindle.wal.Codec;
import dev.spindle.wal.IoMode;
import dev.spindle.wal.Op;
import dev.spindle.wal.RecoveryMode;
import dev.spindle.wal.SyncMode;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.internal.segment.SegmentNames;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes the seed corpus of the core fuzz targets from real WAL runs: sealed segments of a closed WAL, active
 * segments copied while the WAL is open (what kill -9 leaves), in both io_modes and with sync modes that change
 * how recovery judges damage. Run once and commit the files; the fuzzers and regression runs only read them.
 *
 * <pre>
 *   ./mvnw -B -q -o install -DskipTests -pl core -am
 *   ./mvnw -B -q -o dependency:build-classpath -pl core -Dmdep.includeScope=test -Dmdep.outputFile=cp.txt
 *   java -cp core/target/test-classes:core/target/classes:$(cat core/cp.txt) dev.spindle.wal.fuzz.FuzzSeeds core
 * </pre>
 */
final class FuzzSeeds
{
    private static final String COLLECTION = "c";

    private FuzzSeeds()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path module = Path.of(args.length > 0 ? args[0] : ".");
        final Path inputs = module.resolve("src/test/resources/dev/spindle/wal/fuzz");
        final Path work = Files.createTempDirectory("spindle-fuzz-seeds");
        try
        {
            writeSeeds(inputs, work);
        }
        finally
        {
            FuzzChecks.deleteTree(work);
        }
    }

    private static void writeSeeds(final Path inputs, final Path work) throws Exception
    {
        final Path segments = Files.createDirectories(inputs.resolve("SegmentFuzzTestInputs/segmentFile"));
        final Path lanes = Files.createDirectories(inputs.resolve("RecoveryFuzzTestInputs/laneDirectory"));

        // one segment each: a closed WAL's sealed segments, crash images of active ones
        final Map<String, byte[]> sealed = run(work.resolve("sealed"), IoMode.pwrite, SyncMode.PerBatch, 0, false,
            1, 3, 5);
        write(segments.resolve("sealed-pwrite-perbatch"), only(sealed));
        write(segments.resolve("sealed-mmap-periodic"), only(run(work.resolve("periodic"), IoMode.mmap,
            SyncMode.Periodic, 0, false, 2, 1)));
        final byte[] openPwrite = only(run(work.resolve("open-pwrite"), IoMode.pwrite, SyncMode.PerBatch, 0, true,
            2, 3, 1));
        write(segments.resolve("open-pwrite-crash"), openPwrite);
        write(segments.resolve("open-pwrite-torn"), Arrays.copyOf(openPwrite, openPwrite.length - 7));
        final byte[] openMmap = trim(only(run(work.resolve("open-mmap"), IoMode.mmap, SyncMode.Always, 0, true, 2, 2)));
        write(segments.resolve("open-mmap-crash-always"), openMmap);
        // compressed segments: the fuzzer then reaches each codec's decompression
        for (final Codec codec : List.of(Codec.ZSTANDARD, Codec.SNAPPY, Codec.DEFLATE))
        {
            write(segments.resolve("sealed-" + codec), only(run(work.resolve("sealed-" + codec), IoMode.pwrite,
                SyncMode.PerBatch, codec, 0, false, 1, 3, 5)));
            write(segments.resolve("open-" + codec + "-crash"), trim(only(run(work.resolve("open-" + codec),
                IoMode.mmap, SyncMode.PerBatch, codec, 0, true, 2, 3))));
        }

        // lanes: segments sealed by age, then a crash image (sealed, sealed, active) or a closed WAL
        final Map<String, byte[]> rolled = run(work.resolve("rolled"), IoMode.pwrite, SyncMode.PerBatch, 200, true,
            3, 2, 3);
        final Map<String, byte[]> rolledMmap = run(work.resolve("rolled-mmap"), IoMode.mmap, SyncMode.PerBatch, 200,
            true, 2, 3);
        final Map<String, byte[]> closed = run(work.resolve("closed"), IoMode.pwrite, SyncMode.PerBatch, 200, false,
            2, 2);
        write(lanes.resolve("crash-strict-pwrite-checkpoint"), lane(RecoveryMode.strict, IoMode.pwrite, true, rolled, 0)
            .file(LaneImage.KIND_CHECKPOINT, 0, 0, "spindle-checkpoint v1 sequence=2\n"
                .getBytes(StandardCharsets.US_ASCII)).build());
        write(lanes.resolve("crash-lenient-mmap"), lane(RecoveryMode.lenient, IoMode.mmap, true, rolledMmap, 0).build());
        write(lanes.resolve("closed-strict-fixcrc"), lane(RecoveryMode.strict, IoMode.pwrite, false, closed,
            LaneImage.FIX_CRC).build());
        write(lanes.resolve("open-only-strict-mmap"), new LaneImage.Builder(RecoveryMode.strict, IoMode.mmap, false)
            .file(LaneImage.KIND_OPEN, 1, 1, openPwrite).build());
        write(lanes.resolve("crash-strict-zstandard"), lane(RecoveryMode.strict, IoMode.pwrite, true,
            run(work.resolve("rolled-zstandard"), IoMode.pwrite, SyncMode.PerBatch, Codec.ZSTANDARD, 200, true, 3, 2, 3),
            0).build());

        final LaneImage.Builder setAside = new LaneImage.Builder(RecoveryMode.lenient, IoMode.pwrite, true);
        int n = 0;
        for (final Map.Entry<String, byte[]> f : rolled.entrySet())
        {
            final long[] range = SegmentNames.parseSealed(f.getKey());
            if (range != null && n++ == 1)
            {
                final byte[] damaged = f.getValue().clone();
                damaged[damaged.length - 20] ^= 0x40;
                setAside.file(LaneImage.KIND_SET_ASIDE, range[0], range[1], damaged);
            }
            else
            {
                add(setAside, f.getKey(), f.getValue(), 0);
            }
        }
        write(lanes.resolve("set-aside-lenient"), setAside.build());
    }

    /**
     * Append one acknowledged batch per size given to collection {@code c} of a one-lane WAL.
     *
     * @param maxAgeMs segment_max_age_ms; above 0, the run waits past it between batches, so that each batch gets
     *     a segment of its own (the last one stays active).
     * @param crash take the files while the WAL is still open (a crash image), else after closing it.
     * @return the files of the collection directory by name (active segments cut after their whole blocks).
     */
    private static Map<String, byte[]> run(final Path lane, final IoMode ioMode, final SyncMode syncMode,
        final long maxAgeMs, final boolean crash, final int... batches) throws Exception
    {
        return run(lane, ioMode, syncMode, Codec.NULL, maxAgeMs, crash, batches);
    }

    /** {@link #run(Path, IoMode, SyncMode, long, boolean, int...)} with segments compressed by {@code codec}. */
    private static Map<String, byte[]> run(final Path lane, final IoMode ioMode, final SyncMode syncMode,
        final Codec codec, final long maxAgeMs, final boolean crash, final int... batches) throws Exception
    {
        final WalOptions options = WalOptions.builder()
            .codec(codec)
            .walUrls(List.of(lane.toString()))
            .syncMode(syncMode)
            .ioMode(ioMode)
            .diskSegmentSizeBytes(WalOptions.MIN_SEGMENT_SIZE)
            .preallocateChunkBytes(WalOptions.MIN_SEGMENT_SIZE)
            .segmentMaxAgeMs(maxAgeMs)
            .build();
        Map<String, byte[]> files = null;
        try (Wal wal = Wal.open(options))
        {
            final WalCollection c = wal.collection(COLLECTION);
            final Entry e = new Entry();
            long sequence = 0;
            for (int b = 0; b < batches.length; b++)
            {
                if (b > 0 && maxAgeMs > 0)
                {
                    Thread.sleep(maxAgeMs * 3);
                }
                long last = 0;
                for (int i = 0; i < batches[b]; i++)
                {
                    last = c.append(entry(e, ++sequence));
                }
                c.awaitDurable(last);
            }
            if (crash)
            {
                files = read(lane.resolve(COLLECTION));
            }
        }
        return crash ? files : read(lane.resolve(COLLECTION));
    }

    /** An entry of every shape the schema allows: ops, null and non-null key, value, vector, metadata, expiry. */
    private static Entry entry(final Entry e, final long i)
    {
        e.clear().op(Op.fromOrdinal((int)(i % 3))).key(("key-" + i).getBytes(StandardCharsets.UTF_8)).version(i);
        if (i % 3 != 2)
        {
            e.value(("value-" + i + "-" + "x".repeat((int)(i % 5))).getBytes(StandardCharsets.UTF_8));
        }
        if (i % 2 == 0)
        {
            e.vector(new float[]{i, 0.5f, -i});
        }
        if (i % 4 == 1)
        {
            e.metadata(Map.of("tenant", "t" + i, "ü", "ß"));
        }
        if (i % 5 == 0)
        {
            e.expiresAtMicros(1_700_000_000_000_000L + i);
        }
        if (i == 7)
        {
            e.entryId("caller-chosen-id-7");
        }
        return e;
    }

    private static Map<String, byte[]> read(final Path dir) throws IOException
    {
        final Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir))
        {
            for (final Path p : (Iterable<Path>)list::iterator)
            {
                final String name = p.getFileName().toString();
                if (SegmentNames.parseOpen(name) > 0)
                {
                    files.put(name, trim(Files.readAllBytes(p)));
                }
                else if (SegmentNames.parseSealed(name) != null)
                {
                    files.put(name, Files.readAllBytes(p));
                }
            }
        }
        return files;
    }

    /** @return an active segment cut 64 bytes after its whole blocks (the rest is preallocated zeros). */
    private static byte[] trim(final byte[] open) throws IOException
    {
        final Path tmp = Files.createTempFile("seed", SegmentNames.OPEN_SUFFIX);
        try
        {
            Files.write(tmp, open);
            final long valid = WalReader.readSegment(tmp, r -> { }).validBytes();
            return Arrays.copyOf(open, (int)Math.min(open.length, valid + 64));
        }
        finally
        {
            Files.delete(tmp);
        }
    }

    private static LaneImage.Builder lane(final RecoveryMode mode, final IoMode ioMode, final boolean reopen,
        final Map<String, byte[]> files, final int flags)
    {
        final LaneImage.Builder b = new LaneImage.Builder(mode, ioMode, reopen);
        files.forEach((name, bytes) -> add(b, name, bytes, flags));
        return b;
    }

    private static void add(final LaneImage.Builder b, final String name, final byte[] bytes, final int flags)
    {
        final long[] range = SegmentNames.parseSealed(name);
        if (range != null)
        {
            b.file(LaneImage.KIND_SEALED | flags, range[0], range[1], bytes);
        }
        else
        {
            final long first = SegmentNames.parseOpen(name);
            b.file(LaneImage.KIND_OPEN | flags, first, first, bytes);
        }
    }

    private static byte[] only(final Map<String, byte[]> files)
    {
        if (files.size() != 1)
        {
            throw new IllegalStateException("expected one segment, found " + files.keySet());
        }
        return files.values().iterator().next();
    }

    private static void write(final Path file, final byte[] bytes) throws IOException
    {
        Files.write(file, bytes);
        System.out.println(file + " (" + bytes.length + " bytes)");
    }
}
