package dev.spindle.testkit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs Azurite from npm into {@code ~/.cache/spindle/azurite-<version>} once per machine. Several test JVMs
 * (parallel Maven modules, forked CLI tests) may start at once, so the install runs under a file lock and is
 * marked done only after npm succeeded: a half-finished install is retried, never used.
 */
final class AzuriteInstall
{
    static final String VERSION = "3.37.0";
    static final String BLOB_SERVER = "node_modules/.bin/azurite-blob";
    static final String LOKIJS = "node_modules/lokijs";
    private static final String MARKER = ".spindle-installed";
    private static final long INSTALL_TIMEOUT_MINUTES = 10;

    private AzuriteInstall()
    {
    }

    /** @return the install directory, after installing Azurite there if it is not yet. */
    static synchronized Path ensureInstalled() throws IOException, InterruptedException
    {
        final Path cache = Path.of(System.getProperty("user.home"), ".cache", "spindle");
        final Path home = cache.resolve("azurite-" + VERSION);
        if (Files.exists(home.resolve(MARKER)))
        {
            return home;
        }
        requireTool("node");
        requireTool("npm");
        Files.createDirectories(cache);
        try (FileChannel lockFile = FileChannel.open(cache.resolve("azurite-" + VERSION + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            lockFile.lock();   // held until the channel closes
            if (Files.exists(home.resolve(MARKER)))
            {
                return home;   // another JVM installed it while this one waited
            }
            Files.createDirectories(home);
            final Path log = home.resolve("npm-install.log");
            final Process npm = new ProcessBuilder(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix",
                home.toString(), "azurite@" + VERSION))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            if (!npm.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES))
            {
                npm.destroyForcibly();
                throw new IOException("npm install azurite@" + VERSION + " took over " + INSTALL_TIMEOUT_MINUTES +
                    " minutes; log " + log + ":\n" + tail(log));
            }
            if (npm.exitValue() != 0 || !Files.exists(home.resolve(BLOB_SERVER)))
            {
                throw new IOException("npm install azurite@" + VERSION + " into " + home + " failed (exit " +
                    npm.exitValue() + "); log " + log + ":\n" + tail(log));
            }
            Files.writeString(home.resolve(MARKER), VERSION + "\n");
            return home;
        }
    }

    private static void requireTool(final String tool) throws InterruptedException
    {
        try
        {
            final Process process = new ProcessBuilder(tool, "--version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            if (process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0)
            {
                return;
            }
            process.destroyForcibly();
        }
        catch (final IOException ex)
        {
            // not on the PATH: reported below
        }
        throw new IllegalStateException("the Azure tests run Azurite " + VERSION + ", which needs Node.js 20 or " +
            "newer and npm on the PATH, and '" + tool + " --version' failed: install them (Debian/Ubuntu: " +
            "apt-get install nodejs npm; or from https://nodejs.org)");
    }

    /** @return the last lines of a log file, for an exception message. */
    static String tail(final Path log)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(log);
            final int from = Math.max(0, bytes.length - 8192);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex.getMessage() + ")";
        }
    }
}
