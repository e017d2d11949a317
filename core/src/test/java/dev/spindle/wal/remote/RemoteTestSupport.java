package dev.spindle.wal.remote;

import java.util.stream.Stream;

import java.nio.file.Files;

import java.nio.charset.StandardCharsets;

import dev.spindle.wal.internal.remote.LaneUrls;

import dev.spindle.wal.Op;

import dev.spindle.wal.Entry;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the remote-lane tests share: options for a {@code mem://} lane with small segments and quick retries, and
 * payloads that are a pure function of (collection, sequence), so a replay can check every byte.
 */
final class RemoteTestSupport
{
    /** The bucket of {@link #URL}, which each test serves from a fresh {@link MemoryObjectStore}. */
    static final String BUCKET = "bucket";
    static final String URL = "mem://" + BUCKET + "/wal";

    private RemoteTestSupport()
    {
    }

    /** @param urls the lanes; none means one {@link #URL} lane. */
    static WalOptions.Builder options(final Path dir, final String... urls)
    {
        return WalOptions.builder()
            .walUrls(urls.length == 0 ? new String[]{URL} : urls)
            .stagingDir(dir.resolve("staging"))
            .diskSegmentSizeBytes(64 * 1024)
            .uploadRetryBaseMs(5)
            .uploadRetryMaxMs(50)
            .uploadCloseTimeoutMs(10_000);
    }

    static byte[] value(final String collection, final long sequence)
    {
        final byte[] v = new byte[300];
        Arrays.fill(v, (byte)(collection.hashCode() * 31 + sequence));
        return v;
    }

    /** Append {@code n} entries with the payloads of {@link #value}; @return the last sequence. */
    static long appendN(final WalCollection c, final int n)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 0; i < n; i++)
        {
            final long next = c.lastSequence() + 1;
            last = c.append(e.clear().key(Long.toString(next).getBytes()).value(value(c.name(), next)));
        }
        return last;
    }

    /** @return every entry of {@code c} a replay from sequence 1 returns now. */
    static List<WalRecord> replay(final WalCollection c)
    {
        final List<WalRecord> out = new ArrayList<>();
        try (WalReplay r = c.replay(1))
        {
            while (r.hasNext())
            {
                out.add(r.next());
            }
        }
        return out;
    }

    /**
     * @return the sealed segments staged under {@code dir/staging}, in name order.
     */
    static List<Path> stagedSegments(final Path dir) throws IOException
    {
        try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dir.resolve("staging")))
        {
            return walk.filter(p -> p.toString().endsWith(".avro")).sorted().toList();
        }
    }

    /** An entry holding {@code value}. */
    static Entry entry(final String value)
    {
        return new Entry().op(Op.INSERT).value(value.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the staging directory of remote lane {@code url} under {@code dir}'s staging. */
    static Path staging(final Path dir, final String url)
    {
        return dir.resolve("staging").resolve(LaneUrls.stagingName(url));
    }

    /** The collection's directory in a lane (or a staging) stops being one, as on a dead or unmounted disk. */
    static void stagingFails(final Path lane, final String c) throws IOException
    {
        Files.move(lane.resolve(c), lane.resolve(".saved"));
        Files.writeString(lane.resolve(c), "not a directory");
    }

    /** ... and comes back. */
    static void stagingBack(final Path lane, final String c) throws IOException
    {
        Files.delete(lane.resolve(c));
        Files.move(lane.resolve(".saved"), lane.resolve(c));
    }

    /** @return the files under {@code root} whose names end with {@code suffix} (none when it does not exist). */
    static List<Path> filesEndingWith(final Path root, final String suffix) throws IOException
    {
        if (!Files.exists(root))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
