package dev.spindle.wal.internal.segment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fills of one file are exclusive: the lane's inline fill (when the preallocator's queue is full) must
 * not run beside the preallocator thread's, or the slower one writes zeros over what the lane wrote in
 * between (found in review). The running fill carries on to the latest request, {@code allocated} only
 * grows, and {@code cancel()} waits for a fill in progress.
 */
class PreallocatorTest
{
    @TempDir
    Path dir;

    private FileChannel real;
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Thread slowThread;

    private Preallocator.Target gatedTarget() throws IOException
    {
        real = FileChannel.open(dir.resolve("seg.open"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        final FileChannel gated = new Delegating(real)
        {
            @Override
            public int write(final ByteBuffer src, final long position) throws IOException
            {
                if (Thread.currentThread() == slowThread && slowStarted.getCount() > 0)
                {
                    slowStarted.countDown();
                    try
                    {
                        if (!release.await(60, TimeUnit.SECONDS))
                        {
                            throw new IOException("the test never released the slow fill");
                        }
                    }
                    catch (final InterruptedException e)
                    {
                        throw new IOException(e);
                    }
                }
                return real.write(src, position);
            }
        };
        return new Preallocator.Target()
        {
            @Override
            protected FileChannel channel()
            {
                return gated;
            }
        };
    }

    @Test
    void shouldNeverRunTwoFillsOfOneFileAndCarryOnToTheLatestRequest() throws Exception
    {
        final Preallocator.Target target = gatedTarget();
        target.requested = 1 << 20;
        slowThread = new Thread(() -> Preallocator.fill(target, ByteBuffer.allocateDirect(1 << 20)));
        slowThread.start();                                  // the preallocator thread, stuck in a write
        assertTrue(slowStarted.await(60, TimeUnit.SECONDS), "the slow fill started");

        target.requested = 4 << 20;                          // the lane asks for more; its queue is full
        Preallocator.fill(target, ByteBuffer.allocateDirect(1 << 20));
        assertEquals(0, target.allocated, "the inline fill must not run while another fill of the file runs");

        release.countDown();
        slowThread.join(60_000);
        assertFalse(slowThread.isAlive(), "the slow fill ended");
        assertEquals(4 << 20, target.allocated, "the running fill goes on to the latest request");

        real.write(ByteBuffer.wrap("ACKED-DATA".getBytes(StandardCharsets.US_ASCII)), 100); // the lane writes
        Preallocator.fill(target, ByteBuffer.allocateDirect(1 << 20));                     // nothing more to do
        final ByteBuffer back = ByteBuffer.allocate(10);
        real.read(back, 100);
        assertArrayEquals("ACKED-DATA".getBytes(StandardCharsets.US_ASCII), back.array());
        assertEquals(4 << 20, target.allocated);
        real.close();
    }

    @Test
    void shouldMakeCancelWaitForAFillInProgress() throws Exception
    {
        final Preallocator.Target target = gatedTarget();
        target.requested = 2 << 20;
        slowThread = new Thread(() -> Preallocator.fill(target, ByteBuffer.allocateDirect(1 << 20)));
        slowThread.start();
        assertTrue(slowStarted.await(60, TimeUnit.SECONDS), "the slow fill started");
        final Thread canceller = new Thread(target::cancel);      // what seal and truncate do first
        canceller.start();
        canceller.join(300);
        assertTrue(canceller.isAlive(), "cancel() must wait while a fill is writing");
        release.countDown();
        canceller.join(10_000);
        slowThread.join(60_000);
        assertFalse(slowThread.isAlive(), "the slow fill ended");
        assertTrue(target.allocated <= 1 << 20, "a cancelled fill stops after the write in progress");
        real.close();
    }

    /** A FileChannel that forwards everything. */
    abstract static class Delegating extends FileChannel
    {
        final FileChannel d;

        Delegating(final FileChannel d)
        {
            this.d = d;
        }

        public int read(final ByteBuffer dst) throws IOException
        {
            return d.read(dst);
        }

        public long read(final ByteBuffer[] dsts, final int o, final int l) throws IOException
        {
            return d.read(dsts, o, l);
        }

        public int write(final ByteBuffer src) throws IOException
        {
            return d.write(src);
        }

        public long write(final ByteBuffer[] s, final int o, final int l) throws IOException
        {
            return d.write(s, o, l);
        }

        public long position() throws IOException
        {
            return d.position();
        }

        public FileChannel position(final long p) throws IOException
        {
            d.position(p);
            return this;
        }

        public long size() throws IOException
        {
            return d.size();
        }

        public FileChannel truncate(final long s) throws IOException
        {
            d.truncate(s);
            return this;
        }

        public void force(final boolean m) throws IOException
        {
            d.force(m);
        }

        public long transferTo(final long p, final long c, final WritableByteChannel t) throws IOException
        {
            return d.transferTo(p, c, t);
        }

        public long transferFrom(final ReadableByteChannel s, final long p, final long c) throws IOException
        {
            return d.transferFrom(s, p, c);
        }

        public int read(final ByteBuffer dst, final long p) throws IOException
        {
            return d.read(dst, p);
        }

        public MappedByteBuffer map(final MapMode m, final long p, final long s) throws IOException
        {
            return d.map(m, p, s);
        }

        public FileLock lock(final long p, final long s, final boolean sh) throws IOException
        {
            return d.lock(p, s, sh);
        }

        public FileLock tryLock(final long p, final long s, final boolean sh) throws IOException
        {
            return d.tryLock(p, s, sh);
        }

        protected void implCloseChannel() throws IOException
        {
            d.close();
        }
    }
}
