package dev.spindle.wal.internal.metrics;

import dev.spindle.fs.Directories;
import dev.spindle.wal.WalMetrics;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * A lane's metrics as its writer publishes them for other processes ({@code spindle stats}): the file
 * {@value #NAME} in the lane's directory (a remote lane's staging), rewritten about every second by the WAL's timer
 * thread and once more at close, atomically (a temporary file renamed over it; never fsync'd: it is a view, not
 * data). Java properties, one key per field of {@link WalMetrics.Lane} ({@code sync.p99}, ...), plus when it was
 * written, by which process, and whether the WAL was still open. Read back whole, at most {@value #MAX_BYTES}
 * bytes; anything else is no file.
 */
public final class StatsFile
{
    public static final String NAME = ".spindle-stats";
    static final int MAX_BYTES = 64 * 1024;
    private static final RecordComponent[] LANE = WalMetrics.Lane.class.getRecordComponents();
    private static final RecordComponent[] DISTRIBUTION = WalMetrics.Distribution.class.getRecordComponents();

    private StatsFile()
    {
    }

    /** Timer (or closing) thread: publish {@code lane} under {@code root}. */
    public static void write(final Path root, final WalMetrics.Lane lane, final boolean open) throws IOException
    {
        final Properties p = new Properties();
        p.setProperty("written_millis", Long.toString(System.currentTimeMillis()));
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        p.setProperty("open", Boolean.toString(open));
        try
        {
            for (final RecordComponent c : LANE)
            {
                final Object value = c.getAccessor().invoke(lane);
                if (value instanceof WalMetrics.Distribution d)
                {
                    for (final RecordComponent f : DISTRIBUTION)
                    {
                        p.setProperty(c.getName() + "." + f.getName(), String.valueOf(f.getAccessor().invoke(d)));
                    }
                }
                else if (value != null)
                {
                    p.setProperty(c.getName(), String.valueOf(value));
                }
            }
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException(ex);
        }
        final StringWriter text = new StringWriter();
        p.store(text, "Spindle lane metrics (spindle stats reads this)");
        final Path temp = root.resolve(NAME + ".tmp");
        // never through a link planted under either name: the temporary file is made anew (a link or a leftover
        // of a crash is removed first, not followed), and a rename replaces whatever has the final name
        Files.deleteIfExists(temp);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1));
            while (bytes.hasRemaining())
            {
                out.write(bytes);
            }
        }
        Files.move(temp, root.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * @return what the file under {@code root} says, or null when there is none or it is not one.
     */
    public static WalMetrics.Published read(final Path root)
    {
        final Path file = root.resolve(NAME);
        try
        {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            {
                return null;
            }
            final String text = Directories.readAtMost(file, MAX_BYTES + 1);
            if (text.length() > MAX_BYTES)
            {
                return null;
            }
            final Properties p = new Properties();
            p.load(new StringReader(text));
            return new WalMetrics.Published(Long.parseLong(p.getProperty("written_millis")),
                Long.parseLong(p.getProperty("pid")), Boolean.parseBoolean(p.getProperty("open")), lane(p));
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException | RuntimeException | ReflectiveOperationException ex)
        {
            return null;    // not a file of ours, or one cut short: no metrics to show
        }
    }

    private static WalMetrics.Lane lane(final Properties p) throws ReflectiveOperationException
    {
        final Object[] args = new Object[LANE.length];
        final Class<?>[] types = new Class<?>[LANE.length];
        for (int i = 0; i < LANE.length; i++)
        {
            final RecordComponent c = LANE[i];
            types[i] = c.getType();
            if (c.getType() == WalMetrics.Distribution.class)
            {
                final Object[] fields = new Object[DISTRIBUTION.length];
                final Class<?>[] fieldTypes = new Class<?>[DISTRIBUTION.length];
                for (int j = 0; j < DISTRIBUTION.length; j++)
                {
                    fieldTypes[j] = DISTRIBUTION[j].getType();
                    fields[j] = parse(fieldTypes[j], p.getProperty(c.getName() + "." + DISTRIBUTION[j].getName()));
                }
                final Constructor<WalMetrics.Distribution> make =
                    WalMetrics.Distribution.class.getDeclaredConstructor(fieldTypes);
                args[i] = make.newInstance(fields);
            }
            else
            {
                args[i] = parse(c.getType(), p.getProperty(c.getName()));
            }
        }
        return WalMetrics.Lane.class.getDeclaredConstructor(types).newInstance(args);
    }

    private static Object parse(final Class<?> type, final String text)
    {
        if (type == String.class)
        {
            return text;    // null when the key is absent (a healthy lane's failure)
        }
        if (text == null)
        {
            throw new IllegalArgumentException("missing value");
        }
        if (type == long.class)
        {
            return Long.parseLong(text);
        }
        if (type == int.class)
        {
            return Integer.parseInt(text);
        }
        if (type == double.class)
        {
            return Double.parseDouble(text);
        }
        if (type == boolean.class)
        {
            return Boolean.parseBoolean(text);
        }
        throw new IllegalArgumentException("no parser for " + type);
    }
}
