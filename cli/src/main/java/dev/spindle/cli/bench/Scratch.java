package dev.spindle.cli.bench;

import dev.spindle.fs.Directories;

import dev.spindle.wal.WalOptions;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Fresh lane directories for one benchmark run, removed when closed (unless kept): under a directory of
 * the built-in configuration, next to each lane of a configuration (same disk, a sibling directory), or on
 * given mount points. Every run of a sweep or a scaling table starts on empty files this way. A shutdown hook removes
 * the directories when the JVM is stopped first (Ctrl-C).
 */
public final class Scratch implements AutoCloseable
{
    private final List<Path> roots;
    private final List<String> lanes;
    private final boolean keep;
    /** Removes the directories when the JVM is stopped (Ctrl-C) before {@link #close()}; null when kept. */
    private final Thread hook;

    private Scratch(final List<Path> roots, final List<String> lanes, final boolean keep, final boolean hooked)
    {
        this.roots = roots;
        this.lanes = lanes;
        this.keep = keep;
        this.hook = keep || !hooked ? null : new Thread(this::deleteQuietly, "spindle-scratch-cleanup");
        if (hook != null)
        {
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    /**
     * @return {@code lanes} lane directories {@code dir/bench-<time>-<pid>/lane<i>}.
     */
    public static Scratch under(final Path dir, final int lanes, final boolean keep)
    {
        final Path root = dir.resolve("bench-" + stamp());
        final List<String> urls = new ArrayList<>();
        for (int l = 0; l < lanes; l++)
        {
            urls.add(root.resolve("lane" + l).toString());
        }
        return new Scratch(List.of(root), urls, keep, true);
    }

    /**
     * @return one fresh directory beside each lane of {@code options} ({@code <lane>-bench-<time>-<pid>}).
     * @throws IllegalArgumentException when a lane is not a local directory.
     */
    public static Scratch besideLanes(final WalOptions options, final boolean keep)
    {
        final String stamp = stamp();
        final List<Path> roots = new ArrayList<>();
        final List<String> urls = new ArrayList<>();
        for (int i = 0; i < options.walUrls().size(); i++)
        {
            final Path lane = localPath(options.walUrls().get(i), i).toAbsolutePath().normalize();
            final Path root = lane.resolveSibling(lane.getFileName() + "-bench-" + stamp);
            roots.add(root);
            urls.add(root.toString());
        }
        return new Scratch(roots, urls, keep, true);
    }

    /**
     * @return a lane directory {@code wal-bench-<time>-<pid>} on each of {@code mounts} (on Ctrl-C, the disks go
     *     with their files).
     */
    public static Scratch onMounts(final List<Path> mounts)
    {
        final String stamp = stamp();
        final List<Path> roots = new ArrayList<>();
        for (final Path mount : mounts)
        {
            roots.add(mount.resolve("wal-bench-" + stamp));
        }
        return new Scratch(roots, roots.stream().map(Path::toString).toList(), false, false);   // LoopDisks cleans up
    }

    /**
     * @return the local directory of {@code wal_urls[index]}.
     * @throws IllegalArgumentException for a remote lane.
     */
    public static Path localPath(final String url, final int index)
    {
        if (url.startsWith("file:"))
        {
            return Path.of(URI.create(url));
        }
        if (url.contains("://"))
        {
            throw new IllegalArgumentException("wal_urls[" + index + "] = \"" + url + "\": this benchmark runs on " +
                "local lanes only; give it a configuration whose wal_urls are directories");
        }
        return Path.of(url);
    }

    /**
     * @return the lane URLs to put in {@code wal_urls}.
     */
    public List<String> lanes()
    {
        return lanes;
    }

    /**
     * @return {@code base} with its lanes replaced by these.
     */
    public WalOptions.Builder options(final WalOptions base)
    {
        return base.toBuilder().walUrls(lanes);
    }

    /**
     * @return e.g. "2 lane(s) in /mnt/nvme1, /mnt/nvme2": where these lanes' directories are made.
     */
    public String describe()
    {
        return lanes.size() + " lane(s) in " + String.join(", ", roots.stream()
            .map(r -> String.valueOf(r.toAbsolutePath().normalize().getParent())).distinct().toList());
    }

    /**
     * @return the first lane's directory (where the disk's own sync latency is probed).
     */
    public Path firstLane()
    {
        return Path.of(lanes.get(0));
    }

    @Override
    public void close() throws IOException
    {
        if (keep)
        {
            return;
        }
        if (hook != null)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook runs anyway
            }
        }
        for (final Path root : roots)
        {
            Directories.deleteTree(root);
        }
    }

    private void deleteQuietly()
    {
        for (final Path root : roots)
        {
            try
            {
                Directories.deleteTree(root);
            }
            catch (final IOException | java.io.UncheckedIOException ex)
            {
                System.err.println("spindle: could not remove " + root + " on the way out: " + ex.getMessage());
            }
        }
    }

    private static String stamp()
    {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")) + "-" +
            ProcessHandle.current().pid();
    }
}
