package io.skua.broker.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** {@code 2026-01-01T10:00:00.123Z INFO  Connection [loop-1] message key=value}, stack trace on following lines. */
public final class OneLineFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Override
    public String format(LogRecord record) {
        StringBuilder sb = new StringBuilder(160);
        TIME.formatTo(Instant.ofEpochMilli(record.getMillis()), sb);
        sb.append(' ').append(level(record)).append(' ').append(shortName(record.getLoggerName()))
                .append(" [").append(Thread.currentThread().getName()).append("] ")
                .append(formatMessage(record)).append(System.lineSeparator());
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            sb.append(trace);
        }
        return sb.toString();
    }

    /** By severity, not name: jboss-logging (Infinispan, JGroups) logs through JUL with its own WARN/ERROR levels. */
    private static String level(LogRecord record) {
        int v = record.getLevel().intValue();
        if (v >= java.util.logging.Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= java.util.logging.Level.WARNING.intValue()) {
            return "WARN ";
        }
        if (v >= java.util.logging.Level.INFO.intValue()) {
            return "INFO ";
        }
        if (v >= java.util.logging.Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    private static String shortName(String loggerName) {
        if (loggerName == null) {
            return "-";
        }
        int dot = loggerName.lastIndexOf('.');
        return dot < 0 ? loggerName : loggerName.substring(dot + 1);
    }
}
