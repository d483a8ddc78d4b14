package io.skua.broker.network;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;

/** What the rest of the broker needs from Vert.x internals, kept here with the other event-loop code. */
public final class VertxAccess {
    private VertxAccess() {
    }

    /** A new event-loop context of its own (a component whose state is confined to one loop). */
    public static Context newContext(Vertx vertx) {
        return ((VertxInternal) vertx).createEventLoopContext();
    }

    /**
     * Makes Vert.x load its duplicated-context class now. It is otherwise first loaded when the first timer fires (the
     * log cleaner's, 15 s after start), and loading a second implementation of a context type invalidates every
     * compiled method that the JIT had specialised for the only one: the whole request path went back to the
     * interpreter and was compiled again (about 1.5 s of compiler time, measured with {@code -XX:+LogCompilation}).
     * Loaded before anything is hot, the compiled code allows for both.
     */
    public static void loadEveryContextType(Vertx vertx) {
        ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    }
}
