package dev.spindle.cli;

import dev.spindle.config.ConfigException;
import dev.spindle.config.SpindleConfig;
import dev.spindle.wal.CorruptSegmentException;
import dev.spindle.wal.WalOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code spindle}: bench, write, replay, verify, dump, stats. Exit codes: 0 success, 1 a data problem
 * found (or an operation that failed on the data), 2 bad usage or bad configuration. Errors go to
 * stderr, data to stdout, one line each; {@code SPINDLE_DEBUG} (any value) adds stack traces, the error's and
 * those Spindle logs at DEBUG.
 */
@Command(name = "spindle", mixinStandardHelpOptions = true, versionProvider = SpindleCli.Version.class,
    description = "Spindle write-ahead log: load generator, replay, verification and inspection.",
    subcommands = {BenchCommand.class, WriteCommand.class, ReplayCommand.class, VerifyCommand.class,
        DumpCommand.class, StatsCommand.class, TailCommand.class, CommandLine.HelpCommand.class})
public final class SpindleCli
{
    public static final int OK = 0;
    public static final int DATA_PROBLEM = 1;
    public static final int USAGE = 2;

    /** The level of Spindle's own loggers; debug with {@code SPINDLE_DEBUG}, for stack traces. */
    private static final String DEBUG_LOG = "org.slf4j.simpleLogger.log.dev.spindle";

    /** A problem with how Spindle was called or configured: exit 2. */
    static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = SpindleCli.class.getPackage().getImplementationVersion();
            return new String[]{"spindle " + (version == null ? "development build" : version)};
        }
    }

    private SpindleCli()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Run a command line; the tests call this in-process.
     */
    public static int run(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
        {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        if (System.getenv("SPINDLE_DEBUG") != null && System.getProperty(DEBUG_LOG) == null)
        {
            System.setProperty(DEBUG_LOG, "debug");     // Spindle logs a failure's stack trace at DEBUG
        }
        final CommandLine cli = new CommandLine(SpindleCli.class);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, arguments) -> {
            err.println("spindle: " + ex.getMessage());
            err.println("Try 'spindle " + ex.getCommandLine().getCommandName() + " --help'.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            final int code;
            if (ex instanceof ConfigException || ex instanceof UsageException || ex instanceof IllegalArgumentException)
            {
                code = USAGE;
            }
            else
            {
                code = DATA_PROBLEM;
            }
            if (ex instanceof CorruptSegmentException)
            {
                err.println("spindle: corruption: " + ex.getMessage());
            }
            else
            {
                err.println("spindle: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            }
            if (System.getenv("SPINDLE_DEBUG") != null)
            {
                ex.printStackTrace(err);
            }
            return code;
        });
        return cli.execute(args);
    }

    /**
     * Load the options of {@code --config}, printing the file's warnings.
     */
    static WalOptions load(final Path config, final PrintWriter err)
    {
        final SpindleConfig.Loaded loaded = SpindleConfig.loadWithWarnings(config);
        for (final String warning : loaded.warnings())
        {
            err.println("spindle: warning: " + warning);
        }
        return loaded.options();
    }
}
