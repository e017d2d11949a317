package dev.spindle.fs.adls;

import dev.spindle.fs.RemoteStorageException;
import dev.spindle.fs.WalFileSystem;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.testkit.AzuriteServer;
import dev.spindle.testkit.FaultProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures the uploader must be able to tell apart: an overloaded service and a dead one are both retryable. */
class AdlsFaultTest
{
    @TempDir
    Path tmp;

    private WalFileSystem open(final String path) throws Exception
    {
        final AzuriteServer server = AzuriteServer.shared();
        return WalFileSystems.provider("adls").orElseThrow().open(URI.create(server.url(path)), server.settings());
    }

    private Path file(final String name, final int size, final long seed) throws Exception
    {
        final byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void shouldFailRetryablyWhileTheServiceAnswers503AndSucceedOnceItRecovers() throws Exception
    {
        final AzuriteServer server = AzuriteServer.shared();
        try (WalFileSystem fs = open("fault-503"))
        {
            final Path source = file("seg", 5000, 1);
            final long rejectedBefore = server.proxy().rejected();
            server.proxy().mode(FaultProxy.Mode.FAIL_503);
            try
            {
                final RemoteStorageException ex = assertThrows(RemoteStorageException.class,
                    () -> fs.putIfAbsent("c/seg", source));
                assertTrue(ex.retryable(), ex.getMessage());
                assertEquals(503, ex.status(), ex.getMessage());
                assertTrue(ex.getMessage().contains("spindle-test/fault-503/c/seg"), ex.getMessage());
                assertTrue(server.proxy().rejected() > rejectedBefore);
                assertTrue(server.proxy().rejected() - rejectedBefore <= AdlsClients.MAX_TRIES,
                    "the SDK's own retries are few: " + (server.proxy().rejected() - rejectedBefore));
            }
            finally
            {
                server.proxy().mode(FaultProxy.Mode.PASS);
            }
            assertTrue(fs.putIfAbsent("c/seg", source));
            assertEquals(5000, fs.size("c/seg"));
        }
    }

    @Test
    void shouldFailRetryablyWhileTheServerIsDownAndKeepWhatItAcknowledgedBefore() throws Exception
    {
        final AzuriteServer server = AzuriteServer.shared();
        try (WalFileSystem fs = open("fault-stop"))
        {
            final Path before = file("before", 100_000, 2);
            final Path during = file("during", 3000, 3);
            assertTrue(fs.putIfAbsent("c/before", before));
            server.stop();   // at once: Azurite would lose metadata it had not flushed yet (see AzuriteServer)
            try
            {
                final RemoteStorageException ex = assertThrows(RemoteStorageException.class,
                    () -> fs.putIfAbsent("c/during", during));
                assertTrue(ex.retryable(), ex.getMessage());
                assertThrows(RemoteStorageException.class, () -> fs.size("c/before"));
            }
            finally
            {
                server.start();
            }
            assertTrue(fs.putIfAbsent("c/during", during));
            assertEquals(100_000, fs.size("c/before"), "acknowledged before the crash, so still there");
            final ByteBuffer all = ByteBuffer.allocate(100_000);
            assertEquals(100_000, fs.read("c/before", 0, all));
            assertArrayEquals(Files.readAllBytes(before), all.array());
            assertFalse(fs.putIfAbsent("c/during", during));
        }
    }
}
