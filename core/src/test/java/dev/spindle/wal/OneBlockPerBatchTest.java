package dev.spindle.wal;

import dev.spindle.wal.internal.lane.CollectionState;
import dev.spindle.wal.internal.lane.EntrySlot;
import dev.spindle.wal.internal.segment.EntryEncoder;
import dev.spindle.wal.internal.segment.PwriteSegment;
import dev.spindle.wal.internal.segment.SegmentChannel;
import dev.spindle.wal.internal.segment.SegmentFormat;
import dev.spindle.wal.internal.segment.SegmentNames;
import dev.spindle.wal.internal.segment.StagingPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * PerBatch + pwrite: a batch must leave at most one unforced block per file, because recovery relies
 * on it to tell a torn tail from corruption. A large entry after an open block just under
 * {@code memory_flush_size_bytes} used to close the block mid-batch (the staging buffer could not
 * grow with a block in it), leaving two unforced blocks, and a power loss that kept the second but
 * not the first made a strict open fail (found in review). Now the staging buffer grows, keeping the
 * open block, and the power loss is an ordinary torn tail.
 */
class OneBlockPerBatchTest
{
    @TempDir
    Path dir;

    int writes;
    int forces;

    @Test
    void shouldKeepOneUnforcedBlockPerBatchWhenALargeEntryFollowsANearlyFullBlock() throws Exception
    {
        final Path lane = dir.resolve("lane");
        final Path cdir = lane.resolve("c");
        Files.createDirectories(cdir);
        final Path file = cdir.resolve(SegmentNames.open(1));
        final byte[] sync = new byte[16];
        new java.util.Random(1).nextBytes(sync);
        final byte[] header = SegmentFormat.header("c", 1, 42, System.currentTimeMillis() * 1000, SyncMode.PerBatch, sync);
        final FileChannel fc = PwriteSegment.createFile(file, header);   // (the directory fsync is harmless here)
        final SegmentChannel base = SegmentChannel.of(fc);
        final SegmentChannel counting = new SegmentChannel()
        {
            public int write(ByteBuffer s, long p) throws IOException { writes++; return base.write(s, p); }
            public int read(ByteBuffer d, long p) throws IOException { return base.read(d, p); }
            public long size() throws IOException { return base.size(); }
            public void truncate(long s) throws IOException { base.truncate(s); }
            public void force(boolean m) throws IOException { forces++; base.force(m); }
            public void close() throws IOException { base.close(); }
        };
        final long memoryFlush = WalOptions.DEFAULT_MEMORY_FLUSH_SIZE_BYTES;           // 1 MiB
        final StagingPool staging = new StagingPool(memoryFlush + 64 * 1024);
        final PwriteSegment seg = new PwriteSegment(file, counting, 1, sync, 64 << 20, header.length, staging, true,
            new AtomicLong(), null, null);
        final CollectionState cs = new CollectionState("c", 1, true);
        final EntryEncoder encoder = new EntryEncoder(42);

        // batch 0: seq 1, closed and forced (acknowledged)
        assertTrue(seg.append(slot(cs, 1, 100), encoder));
        seg.closeBlock();
        seg.force();
        seg.forced();
        final long durableEnd = seg.writePosition();

        // batch 1 (what BatchWriter.write does per entry, PerBatch): no force unless openBlockBytes >= memoryFlush
        final int forcesBefore = forces;
        final int writesBefore = writes;
        assertTrue(seg.append(slot(cs, 2, 1_000_000), encoder));
        assertTrue(seg.openBlockBytes() < memoryFlush);
        assertTrue(seg.append(slot(cs, 3, 120_000), encoder));
        assertEquals(writesBefore, writes, "no block was written mid-batch: seq 2 and 3 share the open block");
        assertEquals(forcesBefore, forces);
        seg.closeBlock();                                                           // commitBatch; force would follow
        assertEquals(writesBefore + 1, writes, "one block for the batch");

        // power loss before the fsync: a page in the middle of the batch's block did not reach the disk
        fc.write(ByteBuffer.allocate(4096), durableEnd + 8192);
        fc.close();

        final WalOptions options = WalOptions.builder().walUrls(lane.toString()).build();   // strict
        try (Wal wal = Wal.open(options))
        {
            try (WalReplay replay = wal.replay("c", 1))
            {
                assertEquals(1, replay.next().sequence());
                assertFalse(replay.hasNext(), "the unforced block is a torn tail, cut");
            }
            assertEquals(2, wal.append("c", new Entry().value(new byte[]{1})));
        }
    }

    private static EntrySlot slot(final CollectionState cs, final long seq, final int valueSize)
    {
        final byte[] v = new byte[valueSize];
        new java.util.Random(seq).nextBytes(v);
        final Entry e = new Entry().op(Op.INSERT).value(v);
        final EntrySlot s = new EntrySlot();
        s.copy(e, cs, seq, System.currentTimeMillis() * 1000, (int)EntrySlot.encodedBound(e, 1), null);
        return s;
    }
}
