package dev.spindle.fs.gcs;

import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.FaultProxy;
import dev.spindle.testkit.GcsTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failures an uploader must survive, on a server of its own (these tests stop it and make it answer 503): each
 * failed put is a retryable {@link RemoteStorageException}, a later put succeeds, and no failure leaves a
 * partial object behind.
 */
class GcsFaultToleranceTest
{
    private static final int MIB = 1024 * 1024;
    /** The client's retries are kept short: a failing put must come back to the uploader quickly. */
    private static final Duration QUICK_FAILURE = Duration.ofSeconds(15);

    private static GcsTestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws IOException
    {
        server = new GcsTestServer();
    }

    @AfterAll
    static void closeServer() throws IOException
    {
        server.close();
    }

    @AfterEach
    void heal() throws IOException
    {
        server.proxy().mode(FaultProxy.Mode.PASS);
        server.start();
    }

    private WalFileSystem open(final String prefix, final Map<String, String> extra) throws IOException
    {
        final Map<String, String> settings = new HashMap<>(server.settings());
        settings.putAll(extra);
        return WalFileSystems.provider("gcs").orElseThrow().open(URI.create(server.url(prefix)), settings);
    }

    private Path file(final String name, final int size, final long seed) throws IOException
    {
        final byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(tmp.resolve(name), bytes);
    }

    private static RemoteStorageException assertRetryableFailure(final Executable call)
    {
        final long start = System.nanoTime();
        final RemoteStorageException error = assertThrows(RemoteStorageException.class, call::run);
        final Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(error.retryable(), error::toString);
        assertTrue(took.compareTo(QUICK_FAILURE) < 0, "failed after " + took);
        return error;
    }

    @FunctionalInterface
    private interface Executable
    {
        void run() throws Exception;
    }

    @Test
    void shouldFailRetryablyWhileTheStoreAnswers503AndSucceedOnceItRecovers() throws Exception
    {
        try (WalFileSystem fs = open("throttled", Map.of()))
        {
            final Path source = file("seg", 100_000, 1);
            server.proxy().mode(FaultProxy.Mode.FAIL_503);
            final long rejectedBefore = server.proxy().rejected();
            final RemoteStorageException error = assertRetryableFailure(() -> fs.putIfAbsent("c/1", source));
            assertEquals(503, error.status());
            assertTrue(error.getMessage().contains("gs://" + GcsTestServer.BUCKET + "/throttled/c/1"),
                error.getMessage());
            assertTrue(server.proxy().rejected() - rejectedBefore >= 2, "the client retried, briefly");
            assertEquals(503, assertRetryableFailure(() -> fs.size("c/1")).status());

            server.proxy().mode(FaultProxy.Mode.PASS);
            assertTrue(fs.putIfAbsent("c/1", source));
            assertEquals(100_000, fs.size("c/1"));
            assertEquals(1, server.creations("throttled/c/1"));
        }
    }

    @Test
    void shouldFailRetryablyWhileTheServerIsDownAndFindEarlierDataAfterARestart() throws Exception
    {
        try (WalFileSystem fs = open("restart", Map.of()))
        {
            final Path first = file("first", 50_000, 2);
            final Path second = file("second", 60_000, 3);
            assertTrue(fs.putIfAbsent("c/1", first));

            server.stop();
            final RemoteStorageException error = assertRetryableFailure(() -> fs.putIfAbsent("c/2", second));
            assertEquals(RemoteStorageException.NO_STATUS, error.status());
            assertRetryableFailure(() -> fs.read("c/1", 0, ByteBuffer.allocate(10)));

            server.start();
            assertTrue(fs.putIfAbsent("c/2", second));
            assertArrayEquals(Files.readAllBytes(first), readAll(fs, "c/1", 50_000));
            assertArrayEquals(Files.readAllBytes(second), readAll(fs, "c/2", 60_000));
        }
    }

    @Test
    void shouldNeverFinalizeATruncatedObjectWhenAResumableUploadFailsHalfway() throws Exception
    {
        // 256 KiB chunks: the failure comes after 3 of 16 chunks are committed
        try (WalFileSystem fs = open("halfway", Map.of("chunk_size_bytes", "262144", "resumable_threshold_bytes", "0")))
        {
            final Path source = file("seg", 4 * MIB, 4);
            server.afterChunks(3, () -> server.proxy().mode(FaultProxy.Mode.FAIL_503));
            assertRetryableFailure(() -> fs.putIfAbsent("c/1", source));
            server.proxy().mode(FaultProxy.Mode.PASS);
            assertEquals(-1, fs.size("c/1"), "the abandoned upload left no object");

            assertTrue(fs.putIfAbsent("c/1", source));
            assertArrayEquals(Files.readAllBytes(source), readAll(fs, "c/1", 4 * MIB));
            assertEquals(1, server.creations("halfway/c/1"));
        }
    }

    @Test
    void shouldFailRetryablyWhenTheServerDiesMidUploadAndUploadWholeAfterARestart() throws Exception
    {
        try (WalFileSystem fs = open("crash", Map.of("chunk_size_bytes", "262144", "resumable_threshold_bytes", "0")))
        {
            final Path source = file("seg", 3 * MIB, 9);
            server.afterChunks(5, server::stop);
            assertRetryableFailure(() -> fs.putIfAbsent("c/1", source));
            assertFalse(server.running());

            server.start();
            assertEquals(-1, fs.size("c/1"), "the interrupted upload left no object");
            assertTrue(fs.putIfAbsent("c/1", source));
            assertArrayEquals(Files.readAllBytes(source), readAll(fs, "c/1", 3 * MIB));
            assertEquals(1, server.creations("crash/c/1"));
        }
    }

    @Test
    void shouldResumeAChunkWhoseAnswerWasLost() throws Exception
    {
        try (WalFileSystem fs = open("lost-answer", Map.of("chunk_size_bytes", "262144", "resumable_threshold_bytes", "0")))
        {
            final Path source = file("seg", 2 * MIB + 7, 5);
            // the server commits the second chunk, then the connection drops before the 308 reaches the client
            server.afterChunks(2, () -> server.proxy().cutConnections());
            assertTrue(fs.putIfAbsent("c/1", source), "the client asks what was committed and goes on");
            assertArrayEquals(Files.readAllBytes(source), readAll(fs, "c/1", 2 * MIB + 7));
            assertEquals(1, server.creations("lost-answer/c/1"));
        }
    }

    @Test
    void shouldPutA64MiBObjectInResumableChunksAndRefuseADifferentOneUnderTheSameKey() throws Exception
    {
        try (WalFileSystem fs = open("large", Map.of()))
        {
            final int size = 64 * MIB;
            final Path source = file("big", size, 6);
            final long chunksBefore = server.resumableChunks();
            assertTrue(fs.putIfAbsent("c/big.avro", source));
            assertTrue(server.resumableChunks() - chunksBefore >= 8, "8 MiB chunks by default");
            assertEquals(size, fs.size("c/big.avro"));
            final byte[] expected = Files.readAllBytes(source);
            final byte[] actual = readAll(fs, "c/big.avro", size);
            assertTrue(Arrays.equals(expected, actual), "64 MiB read back");

            assertFalse(fs.putIfAbsent("c/big.avro", source), "a retried upload changes nothing");
            final FileAlreadyExistsException refused = assertThrows(FileAlreadyExistsException.class,
                () -> fs.putIfAbsent("c/big.avro", file("other", 8 * MIB + 1, 7)));
            assertTrue(refused.getMessage().contains("67108864") && refused.getMessage().contains("8388609"),
                refused.getMessage());
            assertThrows(FileAlreadyExistsException.class, () -> fs.putIfAbsent("c/big.avro", file("small", 10, 8)));
            assertEquals(1, server.creations("large/c/big.avro"));
        }
    }

    private static byte[] readAll(final WalFileSystem fs, final String key, final int size) throws IOException
    {
        final ByteBuffer all = ByteBuffer.allocate(size);
        long offset = 0;
        while (all.hasRemaining())
        {
            final ByteBuffer chunk = all.slice();
            chunk.limit(Math.min(chunk.remaining(), 4 * MIB));
            final int n = fs.read(key, offset, chunk);
            if (n <= 0)
            {
                break;
            }
            all.position(all.position() + n);
            offset += n;
        }
        return all.array();
    }
}
