package io.skua.broker.logging;

import java.util.logging.LogManager;

/**
 * JUL's LogManager resets (drops every handler) in its own shutdown hook, racing ours: the lines logged while the
 * broker stops would be lost. This manager ignores that reset; {@link #resetFinally()} runs it at the very end.
 * Installed by {@code -Djava.util.logging.manager=io.skua.broker.logging.SkuaLogManager} (set by Main first thing).
 */
public final class SkuaLogManager extends LogManager {
    private volatile boolean allowReset = true;

    @Override
    public void reset() {
        if (allowReset) {
            super.reset();
        }
    }

    /** From now on only {@link #resetFinally()} resets. */
    void holdResets() {
        allowReset = false;
    }

    /** Flushes and closes the handlers. */
    public void resetFinally() {
        allowReset = true;
        super.reset();
    }
}
