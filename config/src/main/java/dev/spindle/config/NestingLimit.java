package dev.spindle.config;

/**
 * Refuses arrays and inline tables nested more than {@link #MAX_DEPTH} deep, before tomlj parses the file: its
 * parser recurses once per level, and a thousand levels overflow the stack (a StackOverflowError, not a message),
 * wherever the value is, in the host application's tables too. One pass over the text that knows TOML's strings
 * (basic and literal, single- and multi-line, with escapes) and comments, so brackets in them are not counted.
 * The scan only bounds nesting: anything else that is malformed is left to the parser to report.
 */
final class NestingLimit
{
    /** Far deeper than any configuration needs, far shallower than the parser's stack allows. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private final String source;
    private int line = 1;
    private int lineStart;

    private NestingLimit(final String text, final String source)
    {
        this.text = text;
        this.source = source;
    }

    /**
     * @param source the name to give in messages.
     * @throws ConfigException at the first bracket or brace past the limit, naming file, line, column and key.
     */
    static void check(final String text, final String source)
    {
        new NestingLimit(text, source).scan();
    }

    private void scan()
    {
        int depth = 0;
        boolean blank = true;       // nothing but whitespace yet in the current key/value pair or table header
        int statementStart = 0;
        int keyEnd = -1;            // the '=' of the current key/value pair
        int headerStart = -1;       // the '[' of a table header being read
        int tableStart = -1;        // the last table header
        int tableEnd = -1;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '\n':
                    newLine(i);
                    if (depth == 0)
                    {
                        blank = true;
                        statementStart = i + 1;
                        keyEnd = -1;
                    }
                    break;
                case '#':
                    i = endOfLine(i) - 1;
                    break;
                case '"':
                case '\'':
                    i = endOfString(i) - 1;
                    break;
                case '=':
                    if (depth == 0)
                    {
                        keyEnd = i;
                    }
                    break;
                case '[':
                case '{':
                    if (depth == 0 && c == '[' && blank)
                    {
                        headerStart = i;
                    }
                    if (++depth > MAX_DEPTH)
                    {
                        throw tooDeep(i, headerStart >= 0 || keyEnd < 0 ? null :
                            name(tableStart, tableEnd, statementStart, keyEnd));
                    }
                    break;
                case ']':
                case '}':
                    if (depth > 0 && --depth == 0 && headerStart >= 0)
                    {
                        tableStart = headerStart;
                        tableEnd = i + 1;
                        headerStart = -1;
                    }
                    break;
                default:
                    break;
            }
            blank &= Character.isWhitespace(c);
        }
    }

    /** @return the key as written, after its table's name: {@code app.v}. */
    private String name(final int tableStart, final int tableEnd, final int keyStart, final int keyEnd)
    {
        final String key = text.substring(keyStart, keyEnd).trim();
        return tableStart < 0 ? key :
            text.substring(tableStart, tableEnd).replaceAll("^\\[+|\\]+$", "").trim() + "." + key;
    }

    /** @return the index of the '\n' ending the line at {@code i}, or the end of the text. */
    private int endOfLine(final int i)
    {
        final int end = text.indexOf('\n', i);
        return end < 0 ? text.length() : end;
    }

    /**
     * @param start the opening quote.
     * @return the index just past the closing quote; for a single-line string left open, its line's end (the parser
     *     reports it), so that the newline is still counted.
     */
    private int endOfString(final int start)
    {
        final char quote = text.charAt(start);
        final boolean escapes = quote == '"';
        if (text.startsWith(String.valueOf(quote).repeat(3), start))
        {
            for (int i = start + 3; i < text.length(); i++)
            {
                final char c = text.charAt(i);
                if (c == '\n')
                {
                    newLine(i);
                }
                else if (c == '\\' && escapes)
                {
                    i++;
                    if (i < text.length() && text.charAt(i) == '\n')
                    {
                        newLine(i);
                    }
                }
                else if (c == quote && text.startsWith(String.valueOf(quote).repeat(3), i))
                {
                    int end = i + 3;
                    for (int extra = 0; extra < 2 && end < text.length() && text.charAt(end) == quote; extra++)
                    {
                        end++;      // up to two quotes may end the content, just inside the closing three
                    }
                    return end;
                }
            }
            return text.length();
        }
        for (int i = start + 1; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '\n')
            {
                return i;
            }
            if (c == '\\' && escapes && i + 1 < text.length() && text.charAt(i + 1) != '\n')
            {
                i++;
            }
            else if (c == quote)
            {
                return i + 1;
            }
        }
        return text.length();
    }

    private void newLine(final int i)
    {
        line++;
        lineStart = i + 1;
    }

    private ConfigException tooDeep(final int i, final String name)
    {
        return new ConfigException(source + ":" + line + ":" + (i - lineStart + 1) + ": " +
            (name == null ? "" : name + ": ") + "arrays and inline tables nested more than " + MAX_DEPTH +
            " deep; nest at most " + MAX_DEPTH);
    }
}
