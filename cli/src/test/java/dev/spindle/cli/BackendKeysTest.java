package dev.spindle.cli;

import dev.spindle.config.ConfigException;
import dev.spindle.config.SpindleConfig;
import dev.spindle.fs.BackendSetting;
import dev.spindle.fs.WalFileSystemProvider;
import dev.spindle.fs.WalFileSystems;
import dev.spindle.wal.WalOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config module knows no backend: it checks each section against what the backends on the classpath declare.
 * With every backend on the classpath, as in the CLI, each declared key is accepted in a file exactly as the
 * backend will read it, and each secret is refused in clear, so a key cannot pass the config and fail at open, or
 * the other way round.
 */
class BackendKeysTest
{
    private static final Map<String, String> ENV = Map.of("SECRET", "c2VjcmV0");

    @Test
    void shouldFindASectionForEveryShippedBackend()
    {
        final Set<String> sections = new TreeSet<>();
        WalFileSystems.providers().forEach(p -> sections.add(p.section()));
        assertEquals(Set.of("adls", "file", "gcs", "s3"), sections);
    }

    @Test
    void shouldAcceptEveryDeclaredKeyAndRefuseSecretsInClear()
    {
        for (final WalFileSystemProvider provider : WalFileSystems.providers())
        {
            final String section = provider.section();
            assertTrue(provider.settings().declared(), section);
            for (final BackendSetting setting : provider.settings().settings())
            {
                final String value = setting.secret() ? "\"${SECRET}\"" : sample(setting);
                final WalOptions options = SpindleConfig.parse("[storage.wal_config." + section + "]\n" +
                    setting.key() + " = " + value + "\n", "keys.toml", ENV::get).options();
                assertEquals(setting.secret() ? "c2VjcmV0" : setting.normalize(value.replace("\"", "")),
                    options.backendSettings(section, "any").get(setting.key()), section + "." + setting.key());
                if (setting.secret())
                {
                    final ConfigException clear = assertThrows(ConfigException.class, () -> SpindleConfig.parse(
                        "[storage.wal_config." + section + "]\n" + setting.key() + " = \"c2VjcmV0\"\n", "keys.toml",
                        ENV::get));
                    assertTrue(clear.getMessage().contains("a secret is never written in clear"), clear.getMessage());
                }
            }
        }
    }

    /** @return a value of the setting's type, as TOML. */
    private static String sample(final BackendSetting setting)
    {
        switch (setting.type())
        {
            case BOOLEAN:
                return "true";
            case INTEGER:
                return Long.toString(setting.max() == Long.MAX_VALUE ? setting.min() : setting.max());
            case SIZE:
                return "\"" + setting.defaultValue() + "\"";
            case CHOICE:
                return "\"" + setting.choices().get(setting.choices().size() - 1) + "\"";
            default:
                return "\"x\"";
        }
    }
}
