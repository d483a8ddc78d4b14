package io.skua.broker.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures JUL records of a logger subtree at or above a level. */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    public LogCapture(String loggerName, Level level) {
        this.logger = Logger.getLogger(loggerName);
        setLevel(level);
        logger.addHandler(this);
    }

    public List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    public List<LogRecord> records() {
        return records;
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            records.add(record);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
