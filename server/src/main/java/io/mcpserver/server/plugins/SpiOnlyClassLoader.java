package io.mcpserver.server.plugins;

/**
 * Parent of every plugin class loader: exposes the JDK (through the platform loader) and the SPI
 * packages (through the server's loader), and nothing else of the server, so plugins cannot see or
 * clash with the server's own libraries.
 */
final class SpiOnlyClassLoader extends ClassLoader {

    static final String SPI_PACKAGE_PREFIX = "io.mcpserver.spi.";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader serverLoader;

    SpiOnlyClassLoader(ClassLoader serverLoader) {
        super("mcp-spi", ClassLoader.getPlatformClassLoader());
        this.serverLoader = serverLoader;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (name.startsWith(SPI_PACKAGE_PREFIX)) {
            return serverLoader.loadClass(name);
        }
        throw new ClassNotFoundException(name);
    }
}
