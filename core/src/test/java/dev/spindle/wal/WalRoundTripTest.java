package dev.spindle.wal;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class WalRoundTripTest
{
    @TempDir
    Path dir;

    /**
     * Everything appended before close is on disk after close, even when close comes right after open and the
     * appends: the Disruptor drains only a consumer that already runs, so a lane thread that had not started
     * yet used to be halted before it read a slot, and the entries were dropped without a word (seen as a
     * flaky remote-lane test under load).
     */
    @org.junit.jupiter.api.Test
    void shouldWriteWhatWasAppendedRightAfterOpenWhenClosedAtOnce()
    {
        final WalOptions options = WalOptions.builder().walUrls(dir.resolve("a").toString(),
            dir.resolve("b").toString()).collectionAffinity(false).build();
        final Entry entry = new Entry().value(new byte[]{7});
        for (int round = 0; round < 60; round++)
        {
            try (Wal wal = Wal.open(options))
            {
                final WalCollection c = wal.collection("c");
                assertEquals(3L * round, c.lastSequence(), "round " + round + ": what the last close wrote");
                for (int i = 0; i < 3; i++)
                {
                    c.append(entry);
                }
            }
        }
        try (WalReader reader = WalReader.open(options))
        {
            assertEquals(180, reader.lastSequence("c"));
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"pwrite,false", "pwrite,true", "mmap,false"})
    void shouldReplayEverythingAcknowledgedAfterReopen(final IoMode ioMode, final boolean pwritePreallocate)
    {
        final WalOptions options = WalOptions.builder()
            .walUrls(dir.resolve("a").toString(), dir.resolve("b").toString())
            .ioMode(ioMode)
            .pwritePreallocate(pwritePreallocate)
            .preallocateChunkBytes(64 * 1024)
            .diskSegmentSizeBytes(256 * 1024)
            .build();
        final Entry entry = new Entry();
        try (Wal wal = Wal.open(options))
        {
            final WalCollection orders = wal.collection("orders");
            final WalCollection users = wal.collection("users");
            long last = 0;
            for (int i = 1; i <= 2000; i++)
            {
                entry.clear().op(Op.INSERT).key(("k" + i).getBytes(StandardCharsets.UTF_8))
                    .value(("value-" + i).repeat(10).getBytes(StandardCharsets.UTF_8))
                    .vector(new float[]{i, i + 0.5f})
                    .metadata(Map.of("n", Integer.toString(i)));
                last = orders.append(entry);
                assertEquals(i, last);
                entry.clear().op(Op.DELETE).key(("u" + i).getBytes(StandardCharsets.UTF_8));
                users.append(entry);
            }
            orders.awaitAcknowledged(last);
            final CompletableFuture<Long> f = users.appendAsync(entry.clear().value(new byte[]{1, 2, 3}));
            assertEquals(2001L, f.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join());
            assertEquals(2000, orders.acknowledgedSequence());
        }
        try (Wal wal = Wal.open(options))
        {
            final WalCollection orders = wal.collection("orders");
            assertEquals(2000, orders.lastSequence());
            final List<WalRecord> records = new ArrayList<>();
            try (WalReplay replay = orders.replay(1))
            {
                replay.forEachRemaining(records::add);
            }
            assertEquals(2000, records.size());
            for (int i = 1; i <= 2000; i++)
            {
                final WalRecord r = records.get(i - 1);
                assertEquals(i, r.sequence());
                assertEquals("orders", r.collection());
                assertArrayEquals(("value-" + i).repeat(10).getBytes(StandardCharsets.UTF_8), r.value());
                assertArrayEquals(new float[]{i, i + 0.5f}, r.vector());
                assertEquals(Map.of("n", Integer.toString(i)), r.metadata());
                assertNull(r.expiresAtMicros());
            }
            final long next = orders.append(entry.clear().value(new byte[]{9}));
            assertEquals(2001, next);
            orders.awaitAcknowledged(next);
            try (WalReplay replay = wal.replay("users", 2001))
            {
                final WalRecord r = replay.next();
                assertEquals(2001, r.sequence());
                assertArrayEquals(new byte[]{1, 2, 3}, r.value());
            }
        }
    }
}
