package dev.spindle.config;

import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backend sections are checked against what the backends on the classpath declare (here the
 * {@link FixtureBackends}); a section of a missing backend is refused, naming the module to add.
 */
class BackendSectionsTest
{
    private static final String HEAD = "[storage.wal_config]\nwal_urls = [\"s3://b1/wal\"]\n";

    private static String error(final String text)
    {
        return assertThrows(ConfigException.class,
            () -> SpindleConfig.parse(text, "b.toml", Map.<String, String>of()::get)).getMessage();
    }

    @Test
    void shouldNameTheModuleToAddForASectionWhoseBackendIsMissing()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> SpindleConfig.parse(
            HEAD + "[storage.wal_config.s3]\nregion = \"eu-west-1\"\n", "b.toml", k -> null, List.of()));
        assertTrue(ex.getMessage().startsWith("b.toml:3:1: storage.wal_config.s3: no backend on the classpath " +
            "serves s3://"), ex.getMessage());
        assertTrue(ex.getMessage().contains("add the module dev.spindle:spindle-fs-s3"), ex.getMessage());
    }

    @Test
    void shouldSuggestTheSectionForAMisspeltOne()
    {
        final String message = error(HEAD + "[storage.wal_config.s4]\nregion = \"eu-west-1\"\n");
        assertTrue(message.startsWith("b.toml:3:1: storage.wal_config.s4: unknown key (did you mean s3?)"), message);
        assertTrue(message.contains("backend sections: adls, gcs, mem, s3"), message);
    }

    @Test
    void shouldCheckValuesByTheirDeclaredTypeAndRange()
    {
        final String small = error(HEAD + "[storage.wal_config.s3]\npart_size_bytes = \"1 MiB\"\n");
        assertTrue(small.startsWith("b.toml:4:1: storage.wal_config.s3.part_size_bytes: expected a size from " +
            "5242880 (5 MiB) to 5368709120 (5 GiB)"), small);
        final String bool = error(HEAD + "[storage.wal_config.s3.\"b1\"]\npath_style = \"yes\"\n");
        assertTrue(bool.contains("storage.wal_config.s3.\"b1\".path_style: expected true or false, got \"yes\""), bool);
        final String array = error(HEAD + "[storage.wal_config.s3]\nregion = [\"a\"]\n");
        assertTrue(array.contains("storage.wal_config.s3.region: expected a string, integer or boolean, found an " +
            "array"), array);
        final String unset = error(HEAD + "[storage.wal_config.adls]\nsas_token = \"${NOT_SET_ANYWHERE}\"\n");
        assertTrue(unset.contains("storage.wal_config.adls.sas_token: environment variable NOT_SET_ANYWHERE is " +
            "not set"), unset);
    }

    @Test
    void shouldAcceptAZeroSizeWhereTheBackendDoes()
    {
        final WalOptions options = SpindleConfig.parse(HEAD + "[storage.wal_config.gcs]\n" +
            "resumable_threshold_bytes = 0\nchunk_size_bytes = \"256 KiB\"\n", "b.toml", k -> null).options();
        assertEquals(Map.of("resumable_threshold_bytes", "0", "chunk_size_bytes", "262144"),
            options.backendSettings("gcs", "any"));
    }

    @Test
    void shouldPassTheKeysOfABackendThatDeclaresNoneThroughAsText()
    {
        final WalOptions options = SpindleConfig.parse(HEAD + "[storage.wal_config.mem]\nregion = \"x\"\n" +
            "depth = 3\n", "b.toml", k -> null).options();
        assertEquals(Map.of("region", "x", "depth", "3"), options.backendSettings("mem", "bucket"));
    }
}
