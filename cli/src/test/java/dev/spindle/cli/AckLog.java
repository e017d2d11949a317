package dev.spindle.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a {@code --ack-log}: the highest acknowledged-durable sequence per collection. The writer
 * logs sequences in order per collection and a sequence is only ever acknowledged after all before it,
 * so the acknowledged set is 1..max. A line cut by SIGKILL inside write(2) is ignored (the last one,
 * or one the next writer ended with a newline). With {@code Periodic} and {@code Never} the log also holds
 * {@code + collection sequence epoch_millis} lines, the acknowledged watermark and when it got there
 * ({@link #witness}).
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

    /**
     * Wait until the writer has made something durable (a line other than an acknowledged watermark), so a cut that
     * follows always finds durable entries to keep, however slowly the writer's first fsync came.
     *
     * @return false when nothing was durable by the deadline.
     */
    static boolean awaitDurable(final Path file, final long timeoutMillis) throws IOException, InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline)
        {
            if (read(file).values().stream().anyMatch(s -> s > 0))
            {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
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
            if (line.startsWith("+"))
            {
                continue;   // an acknowledged watermark (witness)
            }
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

    /**
     * @return everything the log witnessed: durable and acknowledged watermarks, and when each
     *     acknowledged watermark was logged.
     */
    static Witness witness(final Path file) throws IOException
    {
        final Map<String, Long> durable = read(file);
        final Map<String, List<long[]>> acknowledged = new TreeMap<>();
        if (Files.exists(file))
        {
            final String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
            final int end = text.lastIndexOf('\n');
            for (final String line : end < 0 ? new String[0] : text.substring(0, end).split("\n"))
            {
                final String[] parts = line.split(" ");
                if (parts.length == 4 && parts[0].equals("+"))
                {
                    acknowledged.computeIfAbsent(parts[1], c -> new ArrayList<>())
                        .add(new long[]{Long.parseLong(parts[2]), Long.parseLong(parts[3])});
                }
            }
        }
        return new Witness(durable, acknowledged);
    }

    /**
     * What one writer's ack log saw.
     *
     * @param durable the highest durable sequence per collection.
     * @param acknowledged per collection, each logged acknowledged watermark as {sequence, epoch millis}, in
     *     the order logged (rising); empty unless the sync mode acknowledges before the fsync.
     */
    record Witness(Map<String, Long> durable, Map<String, List<long[]>> acknowledged)
    {
        /**
         * @return per collection, the highest sequence acknowledged in any sense: what a SIGKILL must not lose.
         */
        Map<String, Long> acknowledgedAtAll()
        {
            final Map<String, Long> max = new TreeMap<>(durable);
            acknowledged.forEach((c, marks) -> max.merge(c, marks.get(marks.size() - 1)[0], Math::max));
            return max;
        }

        /**
         * @return per collection, the highest durable sequence, 0 for one only acknowledged: what power loss must
         *     not lose.
         */
        Map<String, Long> durableOfAll()
        {
            final Map<String, Long> all = new TreeMap<>(durable);
            acknowledged.keySet().forEach(c -> all.putIfAbsent(c, 0L));
            return all;
        }

        /**
         * @return when the log saw {@code collection}'s acknowledged watermark reach {@code sequence} (epoch millis),
         *     or -1 if it never did.
         */
        long acknowledgedAt(final String collection, final long sequence)
        {
            for (final long[] mark : acknowledged.getOrDefault(collection, List.of()))
            {
                if (mark[0] >= sequence)
                {
                    return mark[1];
                }
            }
            return -1;
        }
    }
}
