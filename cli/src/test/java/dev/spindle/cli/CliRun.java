package dev.spindle.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the {@code spindle} command, with what it printed.
 *
 * @param code the exit code.
 * @param out standard output.
 * @param err standard error.
 */
record CliRun(int code, String out, String err)
{
    static CliRun of(final String... args)
    {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final int code = SpindleCli.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new CliRun(code, o.toString(), e.toString());
    }
}
