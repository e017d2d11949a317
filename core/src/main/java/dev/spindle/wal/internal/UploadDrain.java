package dev.spindle.wal.internal;

import dev.spindle.wal.internal.lane.Lane;
import dev.spindle.wal.internal.upload.RemoteLane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Close: give the remote lanes' pending uploads, together, up to {@code upload_close_timeout_ms}; what is
 * left stays in staging and is uploaded at the next open.
 */
final class UploadDrain
{
    private static final Logger LOG = LoggerFactory.getLogger(UploadDrain.class);

    private UploadDrain()
    {
    }

    /**
     * An interrupt of the closing thread does not cut the wait short (uploads cut off would stay in staging with
     * nothing said): it is held back until the drain ends, then given back.
     */
    static void drain(final Lane[] lanes, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean interrupted = false;
        for (final Lane lane : lanes)
        {
            final RemoteLane remote = lane.remote();
            if (remote == null)
            {
                continue;
            }
            int left;
            while (true)
            {
                try
                {
                    left = remote.drain(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (left > 0)
            {
                LOG.warn("closing with {} segment(s) of {} not uploaded yet ({}); they stay in {} and are " +
                    "uploaded at the next open", left, remote.url(), remote.lastError(), remote.stagingRoot());
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
