package dev.spindle.testkit;

import dev.spindle.fs.Directories;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adobe S3Mock, a real S3 HTTP server, run as a child JVM behind a {@link FaultProxy}.
 *
 * <p>Design note: a separate process for two reasons. {@link #stop()} must be a crash (SIGKILL in the middle
 * of an upload: connections reset, no shutdown hook flushes anything), and S3Mock is a Spring Boot
 * application whose dependencies must stay off the classpath of the code under test. The process runs
 * S3Mock's own runnable jar ({@code com.adobe.testing:s3mock:<version>:exec}, the artifact its Docker image
 * runs), so the versions inside are the ones S3Mock was tested with and Spindle's dependency management never
 * reaches them; testkit's build writes the jar's path into the {@code s3mock.classpath} resource next to this
 * class.
 *
 * <p>Data lives under {@code <dir>/store}, which S3Mock keeps on exit and reloads on start, so a stopped and
 * restarted server still has its objects. The server's output goes to {@code <dir>/s3mock.log}, never to the
 * test console; a failed start reports its tail. Starting takes about 6 s: share one instance per test JVM
 * through {@link #shared()}. A test JVM killed with SIGKILL leaves its server running (nothing can stop it then).
 *
 * <p>Where S3Mock 4.11 differs from S3: it refuses a conditional ({@code If-None-Match: *})
 * CompleteMultipartUpload of an existing key with 304 instead of 412, and AbortMultipartUpload deletes the
 * existing object of the same key, which the CRT client's abort after such a refusal then does.
 */
public final class S3MockServer implements ObjectStoreServer
{
    /** The bucket the server creates on first start. */
    public static final String BUCKET = "spindle-test";
    /** Dummy credentials: S3Mock accepts any signature, the SDK's default chain just needs to find some. */
    public static final String ACCESS_KEY_ID = "spindle-test-key";
    public static final String SECRET_ACCESS_KEY = "spindle-test-secret";
    public static final String REGION = "us-east-1";

    private static final String CLASSPATH_RESOURCE = "s3mock.classpath";
    /** How long {@link #stop()} lets requests S3Mock had read finish their write before it kills the process. */
    private static final long WRITES_SETTLE_MS = 300;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    /** C1 only and a small serial heap: half the start-up time, and throughput enough for tests. */
    private static final List<String> FAST_START = List.of("-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private static S3MockServer shared;

    private final List<String> jvmOptions;
    private final List<String> launcher;
    private final Path dir;
    private final Path store;
    private final Path log;
    private final boolean ownsDir;
    private final int httpPort;
    private final int httpsPort;
    private final FaultProxy proxy;
    private Process process;

    /**
     * Start a server whose data and log live under {@code dir}; data already there (from an earlier server on
     * the same directory) is loaded.
     */
    public S3MockServer(final Path dir) throws IOException, InterruptedException
    {
        this(dir, false, FAST_START);
    }

    /**
     * A server tuned for throughput rather than start-up (full JIT, a parallel collector), for benchmarks: the
     * test servers start with C1 only, which halves S3Mock's start-up time and its upload throughput.
     */
    public static S3MockServer forThroughput(final Path dir) throws IOException, InterruptedException
    {
        return forThroughput(dir, List.of());
    }

    /**
     * @param launcher words put before the java command, e.g. {@code taskset -c 1} to give the server CPUs of its
     *     own, as a remote store has.
     */
    public static S3MockServer forThroughput(final Path dir, final List<String> launcher)
        throws IOException, InterruptedException
    {
        return new S3MockServer(dir, false, List.of("-Xmx2g", "-XX:+UseParallelGC"), launcher);
    }

    private S3MockServer(final Path dir, final boolean ownsDir, final List<String> jvmOptions)
        throws IOException, InterruptedException
    {
        this(dir, ownsDir, jvmOptions, List.of());
    }

    private S3MockServer(final Path dir, final boolean ownsDir, final List<String> jvmOptions,
        final List<String> launcher) throws IOException, InterruptedException
    {
        this.jvmOptions = jvmOptions;
        this.launcher = launcher;
        this.dir = dir.toAbsolutePath();
        this.store = this.dir.resolve("store");
        this.log = this.dir.resolve("s3mock.log");
        this.ownsDir = ownsDir;
        Files.createDirectories(store);
        useDummyCredentialsInThisJvm();
        this.httpPort = ServerFiles.freePort();
        this.httpsPort = ServerFiles.freePort();
        this.proxy = new FaultProxy(httpPort);
        try
        {
            start();
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            proxy.close();
            throw ex;
        }
    }

    /**
     * @return the one server of this JVM, started on first use in a temporary directory, killed and deleted by
     * a shutdown hook.
     */
    public static synchronized S3MockServer shared() throws IOException, InterruptedException
    {
        if (shared == null)
        {
            final S3MockServer server = new S3MockServer(Files.createTempDirectory("spindle-s3mock-"), true, FAST_START);
            Runtime.getRuntime().addShutdownHook(new Thread(server::closeQuietly, "s3mock-shutdown"));
            shared = server;
        }
        return shared;
    }

    /**
     * The SDK's default credential and region chains read these system properties first: in-process tests
     * then reach the server without environment variables, and never send real credentials to it.
     */
    private static void useDummyCredentialsInThisJvm()
    {
        setIfAbsent("aws.accessKeyId", ACCESS_KEY_ID);
        setIfAbsent("aws.secretAccessKey", SECRET_ACCESS_KEY);
        setIfAbsent("aws.region", REGION);
    }

    private static void setIfAbsent(final String name, final String value)
    {
        if (System.getProperty(name) == null)
        {
            System.setProperty(name, value);
        }
    }

    @Override
    public String backend()
    {
        return "s3";
    }

    @Override
    public String url(final String path)
    {
        return "s3://" + BUCKET + "/" + path;
    }

    /** @return the server's own HTTP endpoint, bypassing the proxy. */
    public String directEndpoint()
    {
        return "http://127.0.0.1:" + httpPort;
    }

    /** There are no secrets among them: credentials come from {@link #environment()} through the SDK's chain. */
    @Override
    public Map<String, String> settings()
    {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("endpoint", "http://127.0.0.1:" + proxy.port());
        settings.put("region", REGION);
        settings.put("path_style", "true");
        return settings;
    }

    @Override
    public Map<String, String> environment()
    {
        return Map.of(
            "AWS_ACCESS_KEY_ID", ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY,
            "AWS_REGION", REGION);
    }

    @Override
    public FaultProxy proxy()
    {
        return proxy;
    }

    /** @return where the server's output goes. */
    public Path logFile()
    {
        return log;
    }

    /**
     * A crash of a durable store: every connection is reset at once, and the process is killed. S3Mock rewrites its
     * bucket's whole metadata file ({@code bucketMetadata.json}, which lists every key) in place on each put and
     * delete, not atomically, so a SIGKILL in the middle of one leaves a torn file S3Mock cannot start from
     * again: the restart then timed out (twice in CI, once the shared bucket held a few thousand keys). A real
     * store never loses what it acknowledged, so stop first resets every connection at the proxy and refuses new
     * ones, gives the requests S3Mock had already read a moment to finish writing, then kills it.
     */
    @Override
    public synchronized void stop()
    {
        if (process == null)
        {
            return;
        }
        final Process dying = process;
        process = null;
        proxy.mode(FaultProxy.Mode.DOWN);
        try
        {
            Thread.sleep(WRITES_SETTLE_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        ServerStart.stop("S3Mock", dying, Duration.ZERO);
    }

    /** @return the server process (for benchmarks that account for its CPU time), or null when stopped. */
    public synchronized ProcessHandle processHandle()
    {
        return process == null ? null : process.toHandle();
    }

    @Override
    public synchronized void start() throws IOException, InterruptedException
    {
        if (process != null && process.isAlive())
        {
            return;
        }
        final List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(),
            "--com.adobe.testing.s3mock.httpPort=" + httpPort,
            "--server.port=" + httpsPort,
            "--com.adobe.testing.s3mock.store.root=" + store,
            "--com.adobe.testing.s3mock.store.initial-buckets=" + BUCKET,
            "--com.adobe.testing.s3mock.store.retain-files-on-exit=true",
            "--spring.main.banner-mode=off"));
        final URL probe = URI.create(directEndpoint() + "/" + BUCKET + "?list-type=2&max-keys=1").toURL();
        process = ServerStart.launch("S3Mock on port " + httpPort, new ProcessBuilder(command).directory(dir.toFile()),
            log, START_TIMEOUT, () -> ServerStart.httpStatus(probe, 1000, 30_000) == 200);
        if (proxy.mode() == FaultProxy.Mode.DOWN)
        {
            proxy.mode(FaultProxy.Mode.PASS);    // back after stop()
        }
    }

    private static Path jar() throws IOException
    {
        try (InputStream in = S3MockServer.class.getResourceAsStream(CLASSPATH_RESOURCE))
        {
            if (in == null)
            {
                throw new IOException("no " + CLASSPATH_RESOURCE + " next to " + S3MockServer.class.getName() +
                    ": build spindle-testkit with Maven (its pom resolves S3Mock and writes the resource)");
            }
            final String path = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            final Path jar = Path.of(path);
            if (path.isEmpty() || !Files.isRegularFile(jar))
            {
                throw new IOException("the S3Mock jar named in " + CLASSPATH_RESOURCE + " is missing: '" + path +
                    "' (rebuild spindle-testkit to resolve it again)");
            }
            return jar;
        }
    }

    @Override
    public synchronized void close() throws IOException
    {
        try
        {
            proxy.close();
        }
        finally
        {
            stop();
            if (ownsDir)
            {
                Directories.deleteTree(dir);
            }
        }
    }

    private void closeQuietly()
    {
        try
        {
            close();
        }
        catch (final IOException ignored)
        {
            // the JVM is exiting: a leftover temporary directory is all that can go wrong
        }
    }
}
