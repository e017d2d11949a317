package dev.spindle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real file systems for the fault tests (root only): a size-limited tmpfs to fill up, a loop-mounted
 * ext4 to shut down without flushing its log (the unsynced page cache is lost, as at power loss).
 */
final class Mounts
{
    private Mounts()
    {
    }

    static void tmpfs(final Path mountPoint, final String size) throws IOException, InterruptedException
    {
        Files.createDirectories(mountPoint);
        Child.sh("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
    }

    /**
     * @return the loop device holding a fresh ext4 of {@code megabytes}, mounted at {@code mountPoint}.
     */
    static String ext4(final Path image, final int megabytes, final Path mountPoint) throws IOException,
        InterruptedException
    {
        Child.sh("truncate", "-s", megabytes + "M", image.toString());
        final String loop = Child.sh("losetup", "-f", "--show", image.toString()).trim();
        try
        {
            Child.sh("mkfs.ext4", "-q", "-F", loop);
            Files.createDirectories(mountPoint);
            Child.sh("mount", loop, mountPoint.toString());
            return loop;
        }
        catch (final IOException ex)
        {
            Child.sh("losetup", "-d", loop);
            throw ex;
        }
    }

    static void unmount(final Path mountPoint)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                Child.sh("umount", mountPoint.toString());
                return;
            }
            catch (final IOException | InterruptedException ex)
            {
                try
                {
                    Thread.sleep(250);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    static void detach(final String loop)
    {
        try
        {
            Child.sh("losetup", "-d", loop);
        }
        catch (final IOException | InterruptedException ignore)
        {
            // best effort
        }
    }

    /**
     * Shut the file system down without flushing its log: writes not yet synced are lost, and every
     * later I/O on it fails, as if the machine lost power. xfs_io (xfsprogs) when present, else the
     * same ioctl (FS_IOC_GOINGDOWN, NOLOGFLUSH) through python3, else xfsprogs is installed.
     */
    static void shutdownWithoutFlush(final Path mountPoint) throws IOException, InterruptedException
    {
        if (!Child.onPath("xfs_io") && !Child.onPath("python3"))
        {
            Child.sh("apt-get", "install", "-y", "-q", "xfsprogs");
        }
        if (Child.onPath("xfs_io"))
        {
            Child.sh("xfs_io", "-x", "-c", "shutdown", mountPoint.toString());
        }
        else
        {
            Child.sh("python3", "-c", "import fcntl, os, struct; fd = os.open('" + mountPoint + "', os.O_RDONLY); " +
                "fcntl.ioctl(fd, 0x8004587d, struct.pack('I', 2))");
        }
    }
}
