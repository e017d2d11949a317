package dev.spindle.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a {@code --ack-log}: the highest acknowledged-durable sequence per collection. The writer
 * logs sequences in order per collection and a sequence is only ever acknowledged after all before it,
 * so the acknowledged set is 1..max. A line cut by SIGKILL inside write(2) is ignored (the last one,
 * or one the next writer ended with a newline).
 */
final class AckLog
{
    private AckLog()
    {
    }

    /**
     * Wait until the writer has acknowledged something new (the log grew past {@code size}), so a kill
     * that follows lands while it is writing, however slowly the JVM started.
     */
    static void awaitGrowth(final Path file, final long size, final long timeoutMillis) throws IOException,
        InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline)
        {
            if (Files.exists(file) && Files.size(file) > size)
            {
                return;
            }
            Thread.sleep(20);
        }
    }

    static long size(final Path file) throws IOException
    {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    static Map<String, Long> read(final Path file) throws IOException
    {
        final Map<String, Long> max = new TreeMap<>();
        if (!Files.exists(file))
        {
            return max;
        }
        final String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        final int end = text.lastIndexOf('\n');
        if (end < 0)
        {
            return max;
        }
        for (final String line : text.substring(0, end).split("\n"))
        {
            final String[] parts = line.split(" ");
            if (parts.length != 2 || parts[1].isEmpty())
            {
                continue; // the torn last line of a writer killed inside write(2), ended by the next writer
            }
            // a torn line keeps a prefix of its digits: a smaller number, never a larger claim
            max.merge(parts[0], Long.parseLong(parts[1]), Math::max);
        }
        return max;
    }
}
