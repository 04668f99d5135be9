package io.mcpserver.server.registry;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The plugin a contribution came from, the class loader its code runs under, and how many calls into
 * it are running. Unloading {@linkplain #retire() retires} the owner and waits for those calls before
 * the class loader is closed: a call already running finishes with every class it still needs.
 */
public final class Owner {

    private final String pluginName;
    private final ClassLoader classLoader;
    // a lock, not synchronized: calls run on virtual threads
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int running;
    private boolean retired;

    public Owner(String pluginName, ClassLoader classLoader) {
        this.pluginName = pluginName;
        this.classLoader = classLoader;
    }

    public String pluginName() {
        return pluginName;
    }

    public ClassLoader classLoader() {
        return classLoader;
    }

    /**
     * Runs plugin code with the plugin's class loader as the thread's context loader, counted as one
     * in-flight call.
     *
     * @throws PluginUnloadedException when the plugin was unloaded before the call could start
     */
    public <T> T call(Callable<T> body) throws Exception {
        lock.lock();
        try {
            if (retired) {
                throw new PluginUnloadedException(pluginName);
            }
            running++;
        } finally {
            lock.unlock();
        }
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(classLoader);
        try {
            return body.call();
        } finally {
            t.setContextClassLoader(previous);
            lock.lock();
            try {
                if (--running == 0) {
                    idle.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Calls into the plugin running now. */
    public int inFlight() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new calls from now on; calls already running go on. */
    public void retire() {
        lock.lock();
        try {
            retired = true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no call is running or the timeout passes; true when none is running. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (running > 0) {
                if (left <= 0) {
                    return false;
                }
                left = idle.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Owner[" + pluginName + "]";
    }

    /** A call reached a plugin that had been unloaded in the meantime. */
    public static final class PluginUnloadedException extends IllegalStateException {

        PluginUnloadedException(String pluginName) {
            super("plugin '" + pluginName + "' was unloaded; try again (tools/list shows what is available now)");
        }
    }
}
