package dev.spindle.wal.internal.lane;

import dev.spindle.wal.internal.segment.ActiveSegment;
import dev.spindle.wal.internal.segment.MemoryChannel;
import dev.spindle.wal.internal.segment.MemoryStore;
import dev.spindle.wal.internal.segment.PwriteSegment;
import dev.spindle.wal.internal.segment.SegmentChannel;
import dev.spindle.wal.internal.segment.StagingPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The group commit's forcing step on its own: every segment handed over is forced exactly once per call,
 * with or without helper threads, and a failure comes back to the lane thread.
 */
class ParallelForcerTest
{
    /** A channel in memory that counts forces and can be made to fail them. */
    private static final class CountingChannel implements SegmentChannel
    {
        final MemoryChannel memory;
        final AtomicInteger forces = new AtomicInteger();
        final boolean failing;

        CountingChannel(final MemoryChannel memory, final boolean failing)
        {
            this.memory = memory;
            this.failing = failing;
        }

        @Override
        public int write(final ByteBuffer source, final long position) throws IOException
        {
            return memory.write(source, position);
        }

        @Override
        public int read(final ByteBuffer destination, final long position) throws IOException
        {
            return memory.read(destination, position);
        }

        @Override
        public long size() throws IOException
        {
            return memory.size();
        }

        @Override
        public void truncate(final long size) throws IOException
        {
            memory.truncate(size);
        }

        @Override
        public void force(final boolean metadata) throws IOException
        {
            forces.incrementAndGet();
            if (failing)
            {
                throw new IOException("fsync failed");
            }
        }

        @Override
        public void close() throws IOException
        {
            memory.close();
        }
    }

    private static int forces(final ActiveSegment segment)
    {
        return CHANNELS.get(segment).forces.get();
    }

    private static final java.util.Map<ActiveSegment, CountingChannel> CHANNELS =
        java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    private static ActiveSegment segment(final MemoryStore store, final int i, final boolean failing)
    {
        final CountingChannel channel = new CountingChannel(store.create(Path.of("seg" + i)), failing);
        final ActiveSegment segment = new PwriteSegment(Path.of("seg" + i), channel, 1, new byte[16], 1 << 16, 0,
            new StagingPool(4096), false, new AtomicLong(), null, null);
        CHANNELS.put(segment, channel);
        return segment;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void shouldForceEverySegmentOncePerCall(final int parallelism) throws IOException
    {
        final MemoryStore store = new MemoryStore(0);
        final ActiveSegment[] segments = new ActiveSegment[7];
        for (int i = 0; i < segments.length; i++)
        {
            segments[i] = segment(store, i, false);
        }
        final ParallelForcer forcer = new ParallelForcer("test-sync", parallelism);
        try
        {
            for (int round = 1; round <= 50; round++)
            {
                forcer.forceAll(segments, segments.length);
                for (final ActiveSegment s : segments)
                {
                    assertEquals(round, forces(s));
                }
            }
            forcer.forceAll(segments, 3);
            assertEquals(51, forces(segments[2]));
            assertEquals(50, forces(segments[3]), "only the first n are forced");
        }
        finally
        {
            forcer.close();
        }
    }

    @Test
    void shouldReportAFailedForceAfterAttemptingTheOthers() throws IOException
    {
        final MemoryStore store = new MemoryStore(0);
        final ActiveSegment[] segments = {segment(store, 0, false), segment(store, 1, true),
            segment(store, 2, false)};
        final ParallelForcer forcer = new ParallelForcer("test-sync", 2);
        try
        {
            final IOException ex = assertThrows(IOException.class, () -> forcer.forceAll(segments, 3));
            assertEquals("fsync failed", ex.getMessage());
            assertEquals(1, forces(segments[0]));
            assertEquals(1, forces(segments[2]));
        }
        finally
        {
            forcer.close();
        }
    }
}
