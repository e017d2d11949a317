package dev.spindle.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A write-bandwidth limit per block device through cgroups, for the disk benchmark: a cgroup of its own
 * ({@code spindle-bench-<pid>}) that this process moves into, with a limit per device.
 *
 * <ul>
 *   <li>cgroup v1 ({@code /sys/fs/cgroup/blkio}): {@code blkio.throttle.write_bps_device} in that cgroup, and the
 *       same limit in the root cgroup, because v1 charges page-cache writeback to the root cgroup (the flusher
 *       threads' own), not to the process that dirtied the pages. Limits in v1 are not hierarchical.</li>
 *   <li>cgroup v2 ({@code /sys/fs/cgroup} with the {@code io} controller): {@code io.max wbps=}; v2 charges
 *       writeback to the cgroup that dirtied the pages.</li>
 * </ul>
 *
 * {@link #close()} moves the process back where it was, removes the limits it set and the cgroup.
 *
 * <p>In v1 the process's own writes (a WAL's fdatasync) and the flusher threads' writeback are limited
 * separately, each to the given rate; a workload that leaves its data to writeback (Periodic, Never) can
 * exceed the rate by what writeback carries. PerBatch writes almost all of its bytes through its own fsyncs.
 */
final class CgroupThrottle implements AutoCloseable
{
    private static final Path V1 = Path.of("/sys/fs/cgroup/blkio");
    private static final Path V2 = Path.of("/sys/fs/cgroup");
    static final String PREFIX = "spindle-bench-";

    private final boolean v1;
    private final Path base;
    private final Path own;
    private final Path original;
    private final List<String> devices = new ArrayList<>();

    private CgroupThrottle(final boolean v1, final Path base, final Path own, final Path original)
    {
        this.v1 = v1;
        this.base = base;
        this.own = own;
        this.original = original;
    }

    /**
     * Create this process's cgroup (not yet entered).
     *
     * @throws IOException when neither controller is there to use.
     */
    static CgroupThrottle create() throws IOException
    {
        final long pid = ProcessHandle.current().pid();
        if (Files.exists(V1.resolve("blkio.throttle.write_bps_device")))
        {
            final Path own = V1.resolve(PREFIX + pid);
            Files.createDirectories(own);
            return new CgroupThrottle(true, V1, own, current(":blkio:", V1));
        }
        final Path controllers = V2.resolve("cgroup.controllers");
        if (Files.exists(controllers) && List.of(Files.readString(controllers).trim().split("\\s+")).contains("io"))
        {
            final CgroupThrottle throttle = new CgroupThrottle(false, V2, V2.resolve(PREFIX + pid), current("0::", V2));
            Files.createDirectories(throttle.own);
            final Path subtree = V2.resolve("cgroup.subtree_control");
            if (!List.of(Files.readString(subtree).trim().split("\\s+")).contains("io"))
            {
                try
                {
                    write(subtree, "+io");   // left on afterwards: turning it off would drop other cgroups' io limits
                }
                catch (final IOException ex)
                {
                    Files.deleteIfExists(throttle.own);
                    throw ex;
                }
            }
            return throttle;
        }
        throw new IOException("no cgroup controller to throttle disks with: neither " + V1 + " (cgroup v1 blkio) nor " +
            "the io controller in " + controllers + " (cgroup v2)");
    }

    /**
     * @return "cgroup v1 blkio" or "cgroup v2 io".
     */
    String kind()
    {
        return v1 ? "cgroup v1 blkio" : "cgroup v2 io";
    }

    /**
     * Limit writes to {@code device} ("7:3") to {@code bytesPerSecond}.
     */
    void limit(final String device, final long bytesPerSecond) throws IOException
    {
        devices.add(device);
        if (v1)
        {
            write(own.resolve("blkio.throttle.write_bps_device"), device + " " + bytesPerSecond);
            write(base.resolve("blkio.throttle.write_bps_device"), device + " " + bytesPerSecond);
        }
        else
        {
            write(own.resolve("io.max"), device + " wbps=" + bytesPerSecond);
        }
    }

    /**
     * Move this process (every thread) into the cgroup.
     */
    void enter() throws IOException
    {
        write(own.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
    }

    @Override
    public void close() throws IOException
    {
        IOException first = null;
        try
        {
            write(original.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
        }
        catch (final IOException ex)
        {
            first = ex;
        }
        for (final String device : devices)
        {
            if (v1)
            {
                first = attempt(first, base.resolve("blkio.throttle.write_bps_device"), device + " 0");
            }
        }
        try
        {
            Files.deleteIfExists(own);
        }
        catch (final IOException ex)
        {
            first = first == null ? ex : first;
        }
        if (first != null)
        {
            throw first;
        }
    }

    /**
     * Remove the cgroups of runs that were killed: every {@code spindle-bench-<pid>} whose process is gone, and in
     * v1 the root-cgroup limits of the devices it limited.
     */
    static void removeStale(final java.io.PrintWriter err) throws IOException
    {
        for (final Path base : List.of(V1, V2))
        {
            if (!Files.isDirectory(base))
            {
                continue;
            }
            try (var groups = Files.list(base))
            {
                for (final Path group : groups.filter(g -> g.getFileName().toString().matches(PREFIX + "\\d+")).toList())
                {
                    if (alive(Long.parseLong(group.getFileName().toString().substring(PREFIX.length()))))
                    {
                        continue;
                    }
                    final Path limits = group.resolve("blkio.throttle.write_bps_device");
                    if (base.equals(V1) && Files.exists(limits))
                    {
                        for (final String line : Files.readAllLines(limits))
                        {
                            final String[] fields = line.trim().split("\\s+");
                            if (fields.length == 2)
                            {
                                attempt(null, base.resolve("blkio.throttle.write_bps_device"), fields[0] + " 0");
                            }
                        }
                    }
                    Files.deleteIfExists(group);
                    err.println("spindle: removed the cgroup " + group + " of an earlier run");
                }
            }
        }
    }

    /**
     * @return true while process {@code pid} runs.
     */
    static boolean alive(final long pid)
    {
        // this process has made nothing yet when stale files are looked for: one named after it is an earlier run's
        // (in a container, the JVM often gets the same pid every time)
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static IOException attempt(final IOException first, final Path file, final String line)
    {
        try
        {
            if (Files.exists(file))
            {
                write(file, line);
            }
            return first;
        }
        catch (final IOException ex)
        {
            return first == null ? ex : first;
        }
    }

    private static void write(final Path file, final String line) throws IOException
    {
        try
        {
            Files.writeString(file, line + "\n");
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot write \"" + line + "\" to " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return the directory of the cgroup this process is in now, from /proc/self/cgroup.
     */
    private static Path current(final String prefix, final Path base) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/cgroup")))
        {
            final int at = line.indexOf(prefix);
            if (at >= 0 && (prefix.startsWith("0") ? at == 0 : true))
            {
                final String path = line.substring(at + prefix.length());
                final Path group = path.equals("/") ? base : base.resolve(path.substring(1));
                return Files.isDirectory(group) ? group : base;   // another cgroup namespace: its path is not ours
            }
        }
        return base;
    }
}
