package io.mcpserver.server.registry;

/** The plugin a contribution came from, and the class loader its code runs under. */
public record Owner(String pluginName, ClassLoader classLoader) {

    /** Runs plugin code with the plugin's class loader as the thread's context loader. */
    public <T> T call(java.util.concurrent.Callable<T> body) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(classLoader);
        try {
            return body.call();
        } finally {
            t.setContextClassLoader(previous);
        }
    }
}
