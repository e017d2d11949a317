package dev.spindle.cli;

import dev.spindle.config.BackendKeys;
import dev.spindle.fs.adls.AdlsFileSystemProvider;
import dev.spindle.fs.gcs.GcsFileSystemProvider;
import dev.spindle.fs.s3.S3FileSystemProvider;
import org.junit.jupiter.api.Test;

import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The config module checks backend keys without the backends on its classpath; this pins its lists to what
 * each backend accepts, so a key cannot pass the config and fail at open, or the other way round.
 */
class BackendKeysTest
{
    @Test
    void shouldAcceptExactlyTheKeysEachBackendAccepts()
    {
        assertEquals(new TreeSet<>(S3FileSystemProvider.SETTINGS), new TreeSet<>(BackendKeys.KEYS.get("s3")));
        assertEquals(new TreeSet<>(AdlsFileSystemProvider.SETTINGS), new TreeSet<>(BackendKeys.KEYS.get("adls")));
        assertEquals(new TreeSet<>(GcsFileSystemProvider.SETTINGS), new TreeSet<>(BackendKeys.KEYS.get("gcs")));
        assertEquals(new TreeSet<>(AdlsFileSystemProvider.SECRET_SETTINGS), new TreeSet<>(BackendKeys.SECRETS));
    }
}
