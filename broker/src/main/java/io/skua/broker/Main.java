package io.skua.broker;

import io.skua.broker.config.BrokerConfig;
import io.skua.broker.config.ConfigException;
import io.skua.broker.config.Endpoint;
import io.skua.broker.logging.Logging;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** {@code bin/skua}: parse arguments, start one broker, stop it on SIGTERM / Ctrl-C. */
public final class Main {
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 30;

    private Main() {
    }

    public static void main(String[] args) {
        // Must precede any logging so JUL's own shutdown reset cannot swallow our last lines.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "io.skua.broker.logging.SkuaLogManager");
        }
        // Netty's JFR events for its buffer pool initialise JFR's metadata on the first allocation (about 0.1 s of
        // start-up); on only when asked for with -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        int exitCode = run(args);
        if (exitCode != RUNNING) {
            System.exit(exitCode);
        }
        // Running: Vert.x's non-daemon event-loop threads keep the JVM alive until SIGTERM / Ctrl-C.
    }

    /** Returned by {@link #run} when the broker started and keeps running. */
    static final int RUNNING = -1;

    static int run(String[] args) {
        CommandLine cli;
        try {
            cli = CommandLine.parse(args);
        } catch (CommandLine.UsageException e) {
            System.err.println("skua: " + e.getMessage());
            System.err.print(CommandLine.USAGE);
            return 2;
        }
        if (cli.help()) {
            System.out.print(CommandLine.USAGE);
            System.out.println();
            System.out.println("Properties (Kafka names):");
            BrokerConfig.documentation().forEach((k, v) -> System.out.printf("  %-36s %s%n", k, v));
            return 0;
        }
        Logging.configure();
        System.Logger log = System.getLogger(Main.class.getName());

        BrokerConfig config;
        try {
            config = cli.toConfig();
        } catch (ConfigException e) {
            System.err.println("skua: " + e.getMessage());
            return 1;
        }

        SkuaBroker broker;
        try {
            broker = SkuaBroker.start(config).toCompletionStage().toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            System.err.println("skua: broker " + config.nodeId() + " failed to start: " + e.getCause());
            return 1;
        } catch (TimeoutException | InterruptedException e) {
            System.err.println("skua: broker " + config.nodeId() + " failed to start: " + e);
            return 1;
        }

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.log(System.Logger.Level.INFO, "stopping broker node=" + config.nodeId());
            try {
                // Blocking is the point of a shutdown hook: the JVM exits when it returns.
                broker.close().toCompletionStage().toCompletableFuture().get(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                log.log(System.Logger.Level.INFO, "broker stopped node=" + config.nodeId());
            } catch (Exception e) {
                log.log(System.Logger.Level.WARNING, "broker did not stop cleanly node=" + config.nodeId() + " error=" + e);
            } finally {
                Logging.shutdown();
            }
        }, "skua-shutdown"));

        String listeners = broker.boundListeners().stream().map(Endpoint::toString).collect(Collectors.joining(", "));
        String dirs = config.logDirs().stream().map(Path::toString).collect(Collectors.joining(", "));
        System.out.println("Skua broker " + config.nodeId() + " listening on " + listeners + ", data in " + dirs);
        System.out.flush();
        return RUNNING;
    }
}
