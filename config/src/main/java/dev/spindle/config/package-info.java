/**
 * The TOML configuration file to {@link dev.spindle.wal.WalOptions}: {@link dev.spindle.config.SpindleConfig} reads
 * {@code [storage.wal_config]} (and the legacy {@code [storage] wal_dir}) and reports every problem as
 * {@code file:line:column: key: what is wrong; what is accepted}. Before tomlj sees the text, {@code ConfigFile}
 * decodes it as strict UTF-8 and {@code NestingLimit} bounds how deep arrays and inline tables nest (tomlj's parser
 * recurses per level), so neither a stray byte nor a deep value escapes as a bare decoder message or a
 * StackOverflowError.
 *
 * <p>This package writes no key down itself: the WAL's keys come from {@link dev.spindle.wal.WalConfigKey}, each
 * backend section's keys from the backends on the classpath ({@link dev.spindle.fs.WalFileSystemProvider#settings()}),
 * and a refused option's key from the builder's {@link dev.spindle.wal.InvalidOptionException}. It depends on core
 * and tomlj only, never on a cloud SDK.
 *
 * <p>Threads: a file is read by the caller's thread, with objects made for that one read; nothing is shared.
 */
package dev.spindle.config;
