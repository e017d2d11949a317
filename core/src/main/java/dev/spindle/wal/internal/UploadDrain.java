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

    static void drain(final Lane[] lanes, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (final Lane lane : lanes)
        {
            final RemoteLane remote = lane.remote();
            if (remote == null)
            {
                continue;
            }
            try
            {
                final int left = remote.drain(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (left > 0)
                {
                    LOG.warn("closing with {} segment(s) of {} not uploaded yet ({}); they stay in {} and are " +
                        "uploaded at the next open", left, remote.url(), remote.lastError(), remote.stagingRoot());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
