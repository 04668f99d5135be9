package io.mcpserver.server.plugins;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;

/** One plugin's class loader: its JARs on top of the JDK and the SPI. Child-first for everything but those. */
final class PluginClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final String source;

    PluginClassLoader(String source, URL[] jars, ClassLoader spiParent) {
        super("plugin:" + source, jars, spiParent);
        this.source = source;
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + source + " " + Arrays.toString(getURLs()) + "]";
    }
}
