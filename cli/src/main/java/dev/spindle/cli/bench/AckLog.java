package dev.spindle.cli.bench;

import dev.spindle.wal.WalCollection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code spindle write --ack-log}: writes a line {@code collection sequence} for each entry once its
 * collection's durable watermark passes it, one write(2) per poll, so the file survives a SIGKILL of this
 * process: it is the witness of the crash tests. Runs on its own thread until {@link #finish()}, then writes
 * what became durable up to that moment and ends.
 *
 * <p>Where the sync mode acknowledges before the fsync ({@code Periodic}, {@code Never}), each poll in which
 * a collection's acknowledged watermark moved also writes {@code + collection sequence epoch_millis} (the time
 * read after the watermark), after that collection's durable lines of the poll: what a SIGKILL must not lose, and
 * when it was acknowledged, from which a power-loss test checks that nothing older than the mode's bound was lost.
 * A line that starts with {@code +} is never a collection's ({@code +} is not allowed in a name).
 */
final class AckLog implements Runnable
{
    private final Path file;
    private final WalCollection[] collections;
    private final AtomicReference<Throwable> failure;
    private final long[] logged;
    /** Acknowledged watermarks written as {@code +} lines; null when acknowledgement waits for the fsync. */
    private final long[] acknowledged;
    private volatile boolean finishing;

    /**
     * @param acknowledgedToo also log the acknowledged watermark (sync modes that acknowledge before the fsync).
     */
    AckLog(final Path file, final WalCollection[] collections, final boolean acknowledgedToo,
        final AtomicReference<Throwable> failure)
    {
        this.file = file;
        this.collections = collections;
        this.failure = failure;
        this.logged = new long[collections.length];
        this.acknowledged = acknowledgedToo ? new long[collections.length] : null;
        for (int c = 0; c < collections.length; c++)
        {
            logged[c] = collections[c].durableSequence();
            if (acknowledged != null)
            {
                acknowledged[c] = collections[c].acknowledgedSequence();
            }
        }
    }

    void finish()
    {
        finishing = true;
    }

    @Override
    public void run()
    {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND))
        {
            final StringBuilder lines = new StringBuilder(1 << 16);
            if (!endsWithNewline(file))
            {
                lines.append('\n');  // a previous writer was killed inside a write(2): end its torn line
            }
            boolean last = false;
            while (!last)
            {
                last = finishing;
                for (int c = 0; c < collections.length; c++)
                {
                    final long durable = collections[c].durableSequence();
                    for (long s = logged[c] + 1; s <= durable; s++)
                    {
                        lines.append(collections[c].name()).append(' ').append(s).append('\n');
                        if (lines.length() > 1 << 20)
                        {
                            write(out, lines);
                        }
                    }
                    logged[c] = Math.max(logged[c], durable);
                    if (acknowledged != null)
                    {
                        final long upTo = collections[c].acknowledgedSequence();   // read after durable: never below it
                        if (upTo > acknowledged[c])
                        {
                            // the time is taken after the watermark: an entry is never logged as acknowledged earlier
                            lines.append("+ ").append(collections[c].name()).append(' ').append(upTo).append(' ')
                                .append(System.currentTimeMillis()).append('\n');
                            acknowledged[c] = upTo;
                        }
                    }
                }
                write(out, lines);
                if (!last)
                {
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            failure.compareAndSet(null, new UncheckedIOException("cannot write the ack log " + file,
                ex instanceof IOException ? (IOException)ex : new IOException(ex)));
        }
    }

    private static boolean endsWithNewline(final Path path) throws IOException
    {
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ))
        {
            if (in.size() == 0)
            {
                return true;
            }
            final ByteBuffer last = ByteBuffer.allocate(1);
            in.read(last, in.size() - 1);
            return last.get(0) == '\n';
        }
    }

    private static void write(final FileChannel out, final StringBuilder lines) throws IOException
    {
        if (lines.length() == 0)
        {
            return;
        }
        final ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining())
        {
            out.write(bytes);
        }
        lines.setLength(0);
    }
}
