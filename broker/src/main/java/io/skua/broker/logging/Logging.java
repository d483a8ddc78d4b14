package io.skua.broker.logging;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Logging setup for the broker process: java.util.logging (Vert.x, Netty and our System.Logger all end up there),
 * one line per record on stderr, libraries at WARN.
 *
 * <p>Level of {@code io.skua}: system property {@code skua.log.level} or environment {@code SKUA_LOG_LEVEL}
 * (ERROR, WARN, INFO, DEBUG, TRACE), default INFO.
 */
public final class Logging {
    /** Loggers kept strongly reachable: JUL holds them weakly and would forget their levels. */
    private static final Logger[] CONFIGURED = new Logger[7];

    private Logging() {
    }

    /** Installs the one-line handler; call once, first thing in main. */
    public static void configure() {
        LogManager manager = LogManager.getLogManager();
        if (manager instanceof SkuaLogManager skua) {
            skua.holdResets();
        }
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new OneLineFormatter());
        console.setLevel(Level.ALL);
        root.addHandler(console);
        root.setLevel(Level.INFO);

        CONFIGURED[0] = level("io.skua", skuaLevel());
        CONFIGURED[1] = level("io.netty", Level.WARNING);
        CONFIGURED[2] = level("io.vertx", Level.WARNING);
        CONFIGURED[3] = level("org.infinispan", Level.WARNING);
        CONFIGURED[4] = level("org.jgroups", Level.WARNING);
        CONFIGURED[5] = level("org.jboss", Level.WARNING);
        CONFIGURED[6] = root;
    }

    /** Flushes and closes handlers (end of the shutdown hook). */
    public static void shutdown() {
        if (LogManager.getLogManager() instanceof SkuaLogManager skua) {
            skua.resetFinally();
        }
    }

    private static Logger level(String name, Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        return logger;
    }

    private static Level skuaLevel() {
        String v = System.getProperty("skua.log.level", System.getenv().getOrDefault("SKUA_LOG_LEVEL", "INFO"));
        return switch (v.trim().toUpperCase(Locale.ROOT)) {
            case "ERROR" -> Level.SEVERE;
            case "WARN", "WARNING" -> Level.WARNING;
            case "DEBUG" -> Level.FINE;
            case "TRACE" -> Level.FINEST;
            default -> Level.INFO;
        };
    }
}
