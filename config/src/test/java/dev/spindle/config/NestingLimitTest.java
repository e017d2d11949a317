package dev.spindle.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tomlj's parser recurses once per level of nesting, so a value nested a thousand deep overflowed the stack: a
 * StackOverflowError and a thousand lines of trace, even in a table of the host application's that Spindle never
 * reads. Such a file must be refused with its file, line, column and key, before it is parsed; brackets inside
 * strings and comments are text, not nesting.
 */
class NestingLimitTest
{
    private static final int DEEP = 1000;

    @Test
    void shouldRefuseDeeplyNestedArraysEvenInTheApplicationsOwnTable()
    {
        final String toml = "[storage.wal_config]\nsync_mode = \"Always\"\n[app]\nv = " + "[".repeat(DEEP) +
            "]".repeat(DEEP) + "\n";
        assertEquals("deep.toml:4:69: app.v: arrays and inline tables nested more than 64 deep; nest at most 64",
            refused(toml));
    }

    @Test
    void shouldRefuseDeeplyNestedInlineTables()
    {
        final String toml = "v = " + "{a = ".repeat(DEEP) + "1" + "}".repeat(DEEP) + "\n";
        assertEquals("deep.toml:1:325: v: arrays and inline tables nested more than 64 deep; nest at most 64",
            refused(toml));
    }

    @Test
    void shouldRefuseNestingSpreadOverLinesAtTheLineOfTheDeepestBracket()
    {
        final String toml = "[storage.wal_config]\nwal_urls = [\n" + "[\n".repeat(DEEP) + "]\n".repeat(DEEP) + "]\n";
        assertTrue(refused(toml).startsWith("deep.toml:66:1: storage.wal_config.wal_urls: arrays and inline tables " +
            "nested more than 64 deep"), refused(toml));
    }

    @Test
    void shouldParseNestingUpToTheLimit()
    {
        final String toml = "[app]\nv = " + "[".repeat(NestingLimit.MAX_DEPTH) + "]".repeat(NestingLimit.MAX_DEPTH) +
            "\nw = " + "{a = ".repeat(NestingLimit.MAX_DEPTH) + "1" + "}".repeat(NestingLimit.MAX_DEPTH) +
            "\n[storage.wal_config]\nsync_mode = \"Always\"\n";
        SpindleConfig.parse(toml, "deep.toml", Map.<String, String>of()::get);
    }

    @Test
    void shouldNotCountBracketsInStringsKeysOrComments()
    {
        final String brackets = "[{".repeat(DEEP);
        final String toml = "[app]  # " + brackets + "\n" +
            "basic = \"" + brackets + " \\\" " + brackets + "\"\n" +
            "literal = '" + brackets + "\\'\n" +
            "multi = \"\"\"\n" + brackets + "\n\\\"\"\" " + brackets + "\n\"\" " + brackets + "\"\"\"\"\"\n" +
            "multi_literal = '''\n" + brackets + "\n'' " + brackets + "'''''\n" +
            "\"quoted " + brackets + "\" = 1\n" +
            "'" + brackets + "' = 2\n" +
            "[\"table " + brackets + "\"]\n" +
            "v = [\"]]]]\", '}}}}', [[1]]]\n" +
            "[storage.wal_config]\nsync_mode = \"Always\"\n";
        SpindleConfig.parse(toml, "strings.toml", Map.<String, String>of()::get);
    }

    @Test
    void shouldCountLinesInsideMultiLineStringsAndNameTheTable()
    {
        final String toml = "[app]\nm = \"\"\"\none\ntwo \\\"\"\" [[[\n\"\"\"\n[app.\"x]y\"]\nk = " +
            "[".repeat(DEEP) + "\n";
        assertTrue(refused(toml).startsWith("deep.toml:7:69: app.\"x]y\".k: arrays and inline tables nested"),
            refused(toml));
    }

    private static String refused(final String toml)
    {
        return assertThrows(ConfigException.class,
            () -> SpindleConfig.parse(toml, "deep.toml", Map.<String, String>of()::get)).getMessage();
    }
}
