/**
 * The {@code spindle} command line (picocli): one class per command, parsing flags and printing results;
 * exit codes 0 (success), 1 (a data problem), 2 (bad usage or configuration). Each command runs on the
 * caller's thread; the load generator and the benchmark runs it starts live in {@code dev.spindle.cli.bench}.
 */
package dev.spindle.cli;
