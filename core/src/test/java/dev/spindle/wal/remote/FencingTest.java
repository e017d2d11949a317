package dev.spindle.wal.remote;

import dev.spindle.wal.AckMode;
import dev.spindle.wal.Entry;
import dev.spindle.wal.Wal;
import dev.spindle.wal.WalCollection;
import dev.spindle.wal.WalException;
import dev.spindle.wal.WalOptions;
import dev.spindle.wal.WalReader;
import dev.spindle.wal.WalRecord;
import dev.spindle.wal.WalReplay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static dev.spindle.wal.remote.RemoteTestSupport.BUCKET;
import static dev.spindle.wal.remote.RemoteTestSupport.URL;
import static dev.spindle.wal.remote.RemoteTestSupport.appendN;
import static dev.spindle.wal.remote.RemoteTestSupport.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two writers on one bucket prefix, each with its own staging directory (two machines): the one that opens
 * later takes the next writer epoch, and the earlier one is fenced. Against {@link MemoryObjectStore}, whose
 * hooks reach the moments between an upload and its check; the real servers run the same takeover in the
 * cli module's {@code FencingServersTest}.
 */
class FencingTest
{
    private static final String EPOCH_PREFIX = BUCKET + "/wal/_fence/";

    @TempDir
    Path dir;

    private MemoryObjectStore store;

    @BeforeEach
    @AfterEach
    void reset()
    {
        store = MemoryObjectStore.serve(BUCKET);
    }

    private WalOptions.Builder writer(final String machine, final AckMode ack)
    {
        return WalOptions.builder()
            .walUrls(URL)
            .stagingDir(dir.resolve(machine))
            .diskSegmentSizeBytes(64 * 1024)
            .segmentMaxAgeMs(50)
            .ack(ack)
            .uploadRetryBaseMs(5)
            .uploadRetryMaxMs(50)
            .uploadCloseTimeoutMs(10_000);
    }

    private static List<WalRecord> replay(final WalOptions options, final String collection)
    {
        final List<WalRecord> out = new ArrayList<>();
        try (WalReader reader = WalReader.open(options); WalReplay r = reader.replay(collection, 1))
        {
            while (r.hasNext())
            {
                out.add(r.next());
            }
        }
        return out;
    }

    private static void assertEntries(final List<WalRecord> records, final long n, final String machineAfter,
        final long after)
    {
        assertEquals(n, records.size(), "entries replayed");
        for (int i = 0; i < records.size(); i++)
        {
            final long sequence = i + 1;
            assertEquals(sequence, records.get(i).sequence());
            assertArrayEquals(value("c", sequence), records.get(i).value(), "payload of " + sequence);
            final String by = new String(records.get(i).key(), StandardCharsets.UTF_8);
            assertEquals(sequence > after ? machineAfter : Long.toString(sequence), by, "writer of " + sequence);
        }
    }

    /** Appends with the key {@code machine}, so that a replay tells the writers apart. */
    private static long appendAs(final WalCollection c, final String machine, final int n)
    {
        final Entry e = new Entry();
        long last = 0;
        for (int i = 0; i < n; i++)
        {
            final long next = c.lastSequence() + 1;
            last = c.append(e.clear().key(machine.getBytes(StandardCharsets.UTF_8)).value(value("c", next)));
        }
        return last;
    }

    private List<String> keys(final String suffix)
    {
        final List<String> keys = new ArrayList<>();
        for (final String key : store.objects.keySet())
        {
            if (key.endsWith(suffix))
            {
                keys.add(key);
            }
        }
        return keys;
    }

    @Test
    void shouldFenceTheEarlierWriterWhenAnotherOpensThePrefix() throws Exception
    {
        try (Wal a = Wal.open(writer("a", AckMode.remote).build()))
        {
            final WalCollection ca = a.collection("c");
            assertTrue(ca.awaitAcknowledged(appendN(ca, 300), 30, TimeUnit.SECONDS), "in object storage");
            try (Wal b = Wal.open(writer("b", AckMode.remote).build()))
            {
                assertTrue(store.objects.containsKey(EPOCH_PREFIX + "00000000000000000001"));
                assertTrue(store.objects.containsKey(EPOCH_PREFIX + "00000000000000000002"));
                assertEquals("spindle-fence-cuts 1\nc 300\n",
                    new String(store.objects.get(EPOCH_PREFIX + "00000000000000000002.cuts"), StandardCharsets.UTF_8));

                final WalException fenced = assertThrows(WalException.class,
                    () -> ca.awaitAcknowledged(appendAs(ca, "a", 1), 30, TimeUnit.SECONDS));
                assertTrue(fenced.getMessage().contains("fenced") && fenced.getMessage().contains("writer epoch 2"),
                    fenced.getMessage());

                final WalCollection cb = b.collection("c");
                assertEquals(300, cb.lastSequence());
                assertEquals(2, b.stats().lanes().get(0).upload().writerEpoch());
                assertTrue(cb.awaitAcknowledged(appendAs(cb, "b", 100), 30, TimeUnit.SECONDS));
            }
        }
        assertEntries(replay(writer("reader", AckMode.remote).build(), "c"), 400, "b", 300);
    }

    /**
     * The upload a fenced writer had started before the takeover lands after it: the writer sees the newer epoch
     * in its check after the put, acknowledges nothing and fails. The object stays: a new writer whose listing
     * sees it adopts it and continues after it.
     */
    @Test
    void shouldAcknowledgeNothingOfAnUploadThatLandedAfterTheTakeover() throws Exception
    {
        final AtomicBoolean claimed = new AtomicBoolean();
        store.afterCreate = key -> {
            if (key.endsWith(".avro") && claimed.compareAndSet(false, true))
            {
                // another writer takes epoch 2 between this put and the uploader's check
                store.objects.put(EPOCH_PREFIX + "00000000000000000002", "spindle-fence 1\nepoch 2\n".getBytes());
            }
        };
        try (Wal a = Wal.open(writer("a", AckMode.remote).build()))
        {
            final WalCollection ca = a.collection("c");
            final WalException fenced = assertThrows(WalException.class,
                () -> ca.awaitAcknowledged(appendN(ca, 200), 30, TimeUnit.SECONDS));
            assertTrue(fenced.getMessage().contains("fenced"), fenced.getMessage());
            assertEquals(0, ca.remoteDurableSequence(), "nothing acknowledged");
        }
        assertTrue(claimed.get());
        final String landed = keys(".avro").get(0);
        final long last = Long.parseLong(landed.substring(landed.lastIndexOf('-') + 1, landed.length() - 5));
        try (Wal b = Wal.open(writer("b", AckMode.remote).build()))
        {
            assertEquals(last, b.collection("c").lastSequence(), "b's listing saw it: b continues after it");
        }
        assertEntries(replay(writer("reader", AckMode.remote).build(), "c"), last, "", last);
    }

    /**
     * A writer's segments acknowledged locally but never uploaded, when another writer took the prefix since:
     * at its next open they are moved aside, never uploaded over the other writer's sequences nor replayed.
     */
    @Test
    void shouldSetTheStagingOfAFencedWriterAsideWhenItOpensAgain() throws Exception
    {
        try (Wal a = Wal.open(writer("a", AckMode.local).uploadCloseTimeoutMs(100).build()))
        {
            store.down = true;   // after the open: it claims a writer epoch in the store
            appendAs(a.collection("c"), "a", 100);
        }
        store.down = false;
        try (Wal b = Wal.open(writer("b", AckMode.remote).build()))
        {
            assertEquals(0, b.collection("c").lastSequence(), "nothing of a's reached the bucket");
            assertTrue(b.collection("c").awaitAcknowledged(appendN(b.collection("c"), 50), 30, TimeUnit.SECONDS));
        }
        try (Wal a = Wal.open(writer("a", AckMode.remote).build()))
        {
            assertEquals(50, a.collection("c").lastSequence());
        }
        try (Stream<Path> files = Files.walk(dir.resolve("a")))
        {
            assertTrue(files.anyMatch(p -> p.getParent().getFileName().toString().equals("c") &&
                p.getParent().getParent().getFileName().toString().startsWith(".fenced-") &&
                p.getFileName().toString().endsWith(".avro")), "a's staged segments are kept aside");
        }
        assertEntries(replay(writer("reader", AckMode.remote).build(), "c"), 50, "", 50);
    }

    /**
     * What a fenced writer uploaded beyond the cut, and could not delete (it crashed first): readers ignore it
     * and the next writer deletes it.
     */
    @Test
    void shouldIgnoreAndDeleteAFencedWritersUploadBeyondTheCut() throws Exception
    {
        try (Wal a = Wal.open(writer("a", AckMode.remote).build()))
        {
            assertTrue(a.collection("c").awaitAcknowledged(appendN(a.collection("c"), 200), 30, TimeUnit.SECONDS));
        }
        try (Wal b = Wal.open(writer("b", AckMode.remote).build()))
        {
            assertEquals(200, b.collection("c").lastSequence());
        }
        // a segment of epoch 1 (a's) under a key beyond b's cut of 200
        final String first = keys(".avro").get(0);
        final String stray = BUCKET + "/wal/c/00000000000000000201-00000000000000000220.avro";
        store.objects.put(stray, store.objects.get(first));

        assertEntries(replay(writer("reader", AckMode.remote).build(), "c"), 200, "", 200);
        try (Wal c = Wal.open(writer("c", AckMode.remote).build()))
        {
            assertEquals(200, c.collection("c").lastSequence());
            assertFalse(store.objects.containsKey(stray), "the next writer deletes the fenced upload");
            assertTrue(c.collection("c").awaitAcknowledged(appendN(c.collection("c"), 21), 30, TimeUnit.SECONDS));
        }
        assertEntries(replay(writer("reader", AckMode.remote).build(), "c"), 221, "", 221);
    }

    /**
     * A fenced writer's upload starts at the same sequence as the new writer's first segment, and its key sorts
     * first: the listing keeps the new writer's (before, it kept the first key and ignored the other).
     */
    @Test
    void shouldKeepTheNewWritersSegmentOverAFencedUploadAtTheSameFirstSequence() throws Exception
    {
        try (Wal a = Wal.open(writer("a", AckMode.remote).build()))
        {
            assertTrue(a.collection("c").awaitAcknowledged(appendN(a.collection("c"), 200), 30, TimeUnit.SECONDS));
        }
        final String first = keys(".avro").get(0);
        try (Wal b = Wal.open(writer("b", AckMode.remote).build()))
        {
            final WalCollection cb = b.collection("c");
            assertTrue(cb.awaitAcknowledged(appendAs(cb, "b", 30), 30, TimeUnit.SECONDS));
        }
        assertTrue(store.objects.containsKey(BUCKET + "/wal/c/00000000000000000201-00000000000000000230.avro"));
        store.objects.put(BUCKET + "/wal/c/00000000000000000201-00000000000000000210.avro",
            store.objects.get(first));
        assertEntries(replay(writer("reader", AckMode.remote).build(), "c"), 230, "b", 200);
    }
}
