package dev.spindle.fs.adls;

import dev.spindle.fs.KeyPrefix;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where a WAL lives in Azure storage, parsed from one of the two URL forms users already know:
 * {@code adls://{account}.dfs.core.windows.net/{container}/{prefix}} (Spindle's own) and
 * {@code abfs[s]://{container}@{account}.dfs.core.windows.net/{prefix}} (Hadoop's ABFS driver). Both name the
 * DFS host, because that is the address in the Azure portal; the blob endpoint is derived from it (same
 * account and cloud suffix), since all I/O goes through the Blob API.
 *
 * <p>Names are checked here against Azure's rules so a typo fails at open with the URL in the message,
 * not later as a 400 from the service. The query is refused (a SAS token in a URL ends up in logs) and is
 * never echoed.
 *
 * @param account    storage account name.
 * @param container  container (file system) name.
 * @param prefix     key prefix under the container, without leading or trailing '/', or "" for the root.
 * @param dnsSuffix  the cloud's storage suffix, e.g. {@code core.windows.net}.
 */
record AdlsLocation(String account, String container, String prefix, String dnsSuffix)
{
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
    private static final Pattern SUFFIX = Pattern.compile("[a-z0-9-]+(?:\\.[a-z0-9-]+)+");
    /** Azure allows 1024 characters per blob name; leave room for the keys under the prefix. */
    private static final int MAX_PREFIX_LENGTH = 512;

    /** @return the default blob service endpoint of the account. */
    String defaultEndpoint()
    {
        return "https://" + account + ".blob." + dnsSuffix;
    }

    /** @return the blob name prefix of every key: "" or {@code prefix + "/"}. */
    String blobPrefix()
    {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    @Override
    public String toString()
    {
        return "adls://" + account + ".dfs." + dnsSuffix + "/" + container + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    static AdlsLocation parse(final URI url)
    {
        final String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        final String shown = shown(url);
        if (url.getRawQuery() != null || url.getRawFragment() != null)
        {
            throw invalid(shown, "has a query or fragment; put a SAS token in the sas_token setting, not in the URL");
        }
        if (url.getHost() == null || url.getPort() != -1)
        {
            throw invalid(shown, "needs a host {account}.dfs.core.windows.net and no port");
        }
        final String host = url.getHost().toLowerCase(Locale.ROOT);
        final int dfs = host.indexOf(".dfs.");
        if (dfs < 0 || !SUFFIX.matcher(host.substring(dfs + 5)).matches())
        {
            throw invalid(shown, "host must be {account}.dfs.core.windows.net (the DFS endpoint of the account)");
        }
        final String account = host.substring(0, dfs);
        if (!ACCOUNT.matcher(account).matches())
        {
            throw invalid(shown, "account '" + account + "' must be 3-24 lower-case letters and digits");
        }
        final String path = url.getPath() == null ? "" : url.getPath();
        final String container;
        final String prefix;
        switch (scheme)
        {
            case "adls" ->
            {
                if (url.getUserInfo() != null)
                {
                    throw invalid(shown, "adls:// URLs name the container in the path: adls://{account}.dfs.core.windows.net/{container}/{prefix}");
                }
                final String rest = path.startsWith("/") ? path.substring(1) : path;
                final int slash = rest.indexOf('/');
                container = slash < 0 ? rest : rest.substring(0, slash);
                prefix = slash < 0 ? "" : rest.substring(slash + 1);
            }
            case "abfs", "abfss" ->
            {
                if (url.getUserInfo() == null)
                {
                    throw invalid(shown, "abfs[s]:// URLs name the container before the host: " + scheme +
                        "://{container}@{account}.dfs.core.windows.net/{prefix}");
                }
                container = url.getUserInfo();
                prefix = path.startsWith("/") ? path.substring(1) : path;
            }
            default -> throw invalid(shown, "scheme must be adls, abfs or abfss");
        }
        if (!CONTAINER.matcher(container).matches())
        {
            throw invalid(shown, "container '" + container + "' must be 3-63 lower-case letters, digits and single " +
                "hyphens, starting and ending with a letter or digit");
        }
        return new AdlsLocation(account, container, checkPrefix(shown, prefix), host.substring(dfs + 5));
    }

    /** @return the prefix without its trailing '/' ("" for the container's root). */
    private static String checkPrefix(final String shown, final String raw)
    {
        try
        {
            final String prefix = KeyPrefix.normalize(raw, MAX_PREFIX_LENGTH);
            return prefix.isEmpty() ? prefix : prefix.substring(0, prefix.length() - 1);
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(shown, ex.getMessage());
        }
    }

    /** The URL without query or fragment: those may hold a SAS signature. */
    private static String shown(final URI url)
    {
        return (url.getScheme() == null ? "" : url.getScheme() + ":") +
            (url.getRawAuthority() == null ? "" : "//" + url.getRawAuthority()) +
            (url.getRawPath() == null ? "" : url.getRawPath());
    }

    private static IllegalArgumentException invalid(final String url, final String why)
    {
        return new IllegalArgumentException("invalid ADLS URL " + url + ": " + why);
    }
}
