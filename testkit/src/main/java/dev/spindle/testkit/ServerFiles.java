package dev.spindle.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * What the test servers share: a free loopback port, and removing a server's directory.
 */
final class ServerFiles
{
    private ServerFiles()
    {
    }

    /** @return a loopback port that was free a moment ago. */
    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

}
