package io.skua.storage.file;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Names of the per-offset files of a partition directory: {@code <offset><suffix>}, the offset zero-padded to 20
 * digits ({@code 00000000000000001234.log}, {@code .index}, {@code .timeindex}, {@code .snapshot}).
 *
 * <p>Thread-safety: stateless.
 */
public final class LogFileNames {
    private LogFileNames() {
    }

    /** {@code <offset in 20 digits><suffix>}. */
    public static String fileName(long offset, String suffix) {
        // as String.format("%020d"), without the Formatter (the first call costs tens of milliseconds at start-up)
        String digits = Long.toString(offset);
        if (offset < 0 || digits.length() > 20) {
            throw new IllegalArgumentException("offset " + offset);
        }
        return "0".repeat(20 - digits.length()) + digits + suffix;
    }

    /** The offset a {@code <20 digits><suffix>} file name encodes. */
    public static Optional<Long> parseOffset(Path file, String suffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(suffix) || name.length() != 20 + suffix.length()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(name.substring(0, 20)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
