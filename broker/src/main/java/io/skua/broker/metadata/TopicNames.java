package io.skua.broker.metadata;

import io.skua.protocol.ApiException;
import io.skua.protocol.Errors;

/** Kafka's topic-name rules: 1-249 characters of [a-zA-Z0-9._-], not "." or "..". */
public final class TopicNames {
    public static final int MAX_LENGTH = 249;

    private TopicNames() {}

    public static void validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION, "Topic name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION, "Topic name cannot be \".\" or \"..\"");
        }
        if (name.length() > MAX_LENGTH) {
            throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION,
                    "Topic name is longer than " + MAX_LENGTH + " characters: " + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                throw new ApiException(Errors.INVALID_TOPIC_EXCEPTION,
                        "Topic name '" + name + "' has an illegal character '" + c + "'; allowed: [a-zA-Z0-9._-]");
            }
        }
    }

    public static boolean isInternal(String name) {
        return name.equals("__consumer_offsets") || name.equals("__transaction_state");
    }
}
