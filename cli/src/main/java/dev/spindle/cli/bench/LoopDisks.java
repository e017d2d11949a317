package dev.spindle.cli.bench;

import dev.spindle.fs.Directories;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N loop-mounted ext4 file systems for the disk benchmark (root only), each throttled to a write bandwidth by
 * {@link CgroupThrottle}: {@code <dir>/disks-<pid>/d<i>.img} (sparse), attached with {@code losetup} (then switched
 * to direct I/O on the image where the kernel allows it, so the host's page cache does not hold the data twice),
 * formatted without lazy initialisation (no background writes while measuring), mounted at
 * {@code <dir>/disks-<pid>/m<i>}.
 *
 * <p>{@link #close()} undoes everything in reverse order, is safe to call twice, and is synchronized with the
 * creation of disks, so a disk is never made after it. A shutdown hook (Ctrl-C, SIGTERM) sets the run's stop
 * flag, gives the benchmark thread time to close its WAL and call {@link #close()} itself, closes what is left,
 * and says what it did. What a SIGKILLed run left behind is removed by {@link #removeStale(Path, PrintWriter)} at
 * the start of the next one.
 */
public final class LoopDisks implements AutoCloseable
{
    private static final String DIR_PREFIX = "disks-";
    private static final long HOOK_GRACE_SECONDS = 30;

    /** One disk: its image, loop device, device number ("7:3") and mount point. */
    public record Disk(Path image, String device, String number, Path mount)
    {
    }

    private final Path root;
    private final AtomicBoolean stop;
    private final List<Disk> disks = new ArrayList<>();
    /** Every loop device attached and every mount point mounted, in order, complete disk or not: what close undoes. */
    private final List<String> attached = new ArrayList<>();
    private final List<Path> mounted = new ArrayList<>();
    private final CgroupThrottle throttle;
    private final Thread hook;
    private final CountDownLatch released = new CountDownLatch(1);
    private boolean closed;
    private volatile IOException closeFailure;

    private LoopDisks(final Path root, final CgroupThrottle throttle, final AtomicBoolean stop, final PrintWriter err)
    {
        this.root = root;
        this.throttle = throttle;
        this.stop = stop;
        this.hook = new Thread(() -> {
            stop.set(true);
            try
            {
                if (!released.await(HOOK_GRACE_SECONDS, TimeUnit.SECONDS))
                {
                    close();
                }
            }
            catch (final InterruptedException | IOException ex)
            {
                closeFailure = closeFailure == null && ex instanceof IOException ? (IOException)ex : closeFailure;
            }
            err.println(closeFailure == null ? "spindle: interrupted; the disks are removed" :
                "spindle: interrupted; removing the disks failed (" + closeFailure.getMessage() + "); the next " +
                    "bench --disks removes what is left");
            err.flush();
        }, "spindle-disks-cleanup");
    }

    /**
     * Create, throttle and mount {@code count} disks of {@code bytes} each under {@code dir}, and move this
     * process into the throttled cgroup. On any failure, or when {@code stop} is set meanwhile, what was made is
     * removed before the exception leaves.
     *
     * @param stop set by the shutdown hook, which then reports on {@code err} what it did.
     */
    public static LoopDisks create(final Path dir, final int count, final long bytes, final long bytesPerSecond,
        final AtomicBoolean stop, final PrintWriter err) throws IOException
    {
        final Path root = dir.toAbsolutePath().resolve(DIR_PREFIX + ProcessHandle.current().pid());
        Files.createDirectories(root);
        final LoopDisks disks;
        try
        {
            disks = new LoopDisks(root, CgroupThrottle.create(), stop, err);
        }
        catch (final IOException ex)
        {
            Directories.deleteTree(root);
            throw ex;
        }
        Runtime.getRuntime().addShutdownHook(disks.hook);
        try
        {
            for (int i = 0; i < count; i++)
            {
                disks.add(i, bytes, bytesPerSecond);
            }
            disks.enter();
            return disks;
        }
        catch (final IOException | RuntimeException ex)
        {
            try
            {
                disks.close();
            }
            catch (final IOException cleanup)
            {
                ex.addSuppressed(cleanup);
            }
            throw ex;
        }
    }

    private synchronized void add(final int index, final long bytes, final long bytesPerSecond) throws IOException
    {
        if (closed || stop.get())
        {
            throw new IOException("stopped while making the disks");
        }
        final Path image = root.resolve("d" + index + ".img");
        Shell.run("truncate", "-s", Long.toString(bytes / 4096 * 4096), image.toString());
        final String device = lastLoopDevice(Shell.run("losetup", "-f", "--show", image.toString()), image);
        attached.add(device);
        Shell.succeeds("losetup", "--direct-io=on", device);   // best effort: not every kernel or backing file allows it
        final String number = Files.readString(Path.of("/sys/block", Path.of(device).getFileName().toString(), "dev"))
            .trim();
        Shell.run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", device);
        final Path mount = Files.createDirectories(root.resolve("m" + index));
        mounted.add(mount);   // before mount: a mount that timed out but happened is still undone
        Shell.run("mount", device, mount.toString());
        throttle.limit(number, bytesPerSecond);
        disks.add(new Disk(image, device, number, mount));
    }

    /**
     * @return the loop device {@code losetup --show} printed (its last line naming one; warnings may precede it).
     */
    private static String lastLoopDevice(final String output, final Path image) throws IOException
    {
        final List<String> devices = output.lines().map(String::trim).filter(l -> l.startsWith("/dev/loop")).toList();
        if (devices.isEmpty())
        {
            throw new IOException("losetup attached " + image + " but named no loop device: " + output.strip());
        }
        return devices.get(devices.size() - 1);
    }

    private synchronized void enter() throws IOException
    {
        if (closed || stop.get())
        {
            throw new IOException("stopped while making the disks");
        }
        throttle.enter();
    }

    public synchronized List<Disk> disks()
    {
        return List.copyOf(disks);
    }

    public synchronized List<Path> mounts()
    {
        return disks.stream().map(Disk::mount).toList();
    }

    public String throttleKind()
    {
        return throttle.kind();
    }

    /**
     * Leave the cgroup, unmount, detach, delete the images; the first failure is rethrown after every step was
     * tried.
     */
    @Override
    public synchronized void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        IOException first = null;
        try
        {
            throttle.close();
        }
        catch (final IOException ex)
        {
            first = ex;
        }
        IOException disks = null;
        for (int i = mounted.size() - 1; i >= 0; i--)
        {
            disks = unmount(mounted.get(i), disks);
        }
        for (int i = attached.size() - 1; i >= 0; i--)
        {
            disks = detach(attached.get(i), disks);
        }
        first = first == null ? disks : first;
        if (disks == null)   // only with every disk unmounted and detached may the images go
        {
            try
            {
                Directories.deleteTree(root);
            }
            catch (final IOException ex)
            {
                first = ex;
            }
        }
        closeFailure = first;   // kept: the images stay for the next run's removeStale when something failed
        released.countDown();
        if (Thread.currentThread() != hook)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook is running or about to: it finds everything closed
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    private static IOException unmount(final Path mount, final IOException first)
    {
        if (!Shell.succeeds("mountpoint", "-q", mount.toString()))
        {
            return first;
        }
        try
        {
            retry(() -> Shell.run("umount", mount.toString()));
            return first;
        }
        catch (final IOException busy)
        {
            try
            {
                Shell.run("umount", "-l", mount.toString());   // still busy: detach now, freed when the last file closes
                return first;
            }
            catch (final IOException ex)
            {
                return first == null ? ex : first;
            }
        }
    }

    private static IOException detach(final String device, final IOException first)
    {
        try
        {
            retry(() -> Shell.run("losetup", "-d", device));
            return first;
        }
        catch (final IOException ex)
        {
            return first == null ? ex : first;
        }
    }

    private interface Step
    {
        void run() throws IOException;
    }

    private static void retry(final Step step) throws IOException
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                step.run();
                return;
            }
            catch (final IOException ex)
            {
                if (attempt == 10)
                {
                    throw ex;
                }
                try
                {
                    Thread.sleep(200);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    throw ex;
                }
            }
        }
    }

    /**
     * Remove what runs killed with SIGKILL left: for each {@code <dir>/disks-<pid>} whose process is gone, unmount
     * its file systems, detach its loop devices and delete its images; and every {@code spindle-bench-<pid>} cgroup
     * of a process that is gone, with its limits.
     */
    public static void removeStale(final Path dir, final PrintWriter err) throws IOException
    {
        CgroupThrottle.removeStale(err);
        if (!Files.isDirectory(dir))
        {
            return;
        }
        final Pattern name = Pattern.compile(Pattern.quote(DIR_PREFIX) + "(\\d+)");
        try (var entries = Files.list(dir.toAbsolutePath()))
        {
            for (final Path stale : entries.toList())
            {
                final Matcher m = name.matcher(stale.getFileName().toString());
                if (!m.matches() || CgroupThrottle.alive(Long.parseLong(m.group(1))))
                {
                    continue;
                }
                IOException failure = null;
                try (var files = Files.list(stale))
                {
                    for (final Path mount : files.filter(f -> f.getFileName().toString().matches("m\\d+")).sorted().toList())
                    {
                        failure = unmount(mount, failure);
                    }
                }
                try (var files = Files.list(stale))
                {
                    for (final Path image : files.filter(f -> f.getFileName().toString().matches("d\\d+\\.img")).toList())
                    {
                        for (final String line : Shell.run("losetup", "-j", image.toString()).lines().toList())
                        {
                            final int colon = line.indexOf(':');
                            if (colon > 0)
                            {
                                failure = detach(line.substring(0, colon), failure);
                            }
                        }
                    }
                }
                if (failure != null)
                {
                    throw new IOException("cannot remove what an earlier run (pid " + m.group(1) + ") left in " + stale +
                        ": " + failure.getMessage(), failure);
                }
                Directories.deleteTree(stale);
                err.println("spindle: removed the disks an earlier run (pid " + m.group(1) + ") left in " + stale);
            }
        }
    }
}
