package io.skua.broker.group;

/**
 * Kafka error codes used by the group coordinator, as the numeric shorts of the wire protocol
 * (values checked against Kafka's protocol documentation / kafka-clients 4.3.1 {@code Errors}).
 *
 * <p>Temporary home until the broker-wide {@code io.skua.broker.api.Errors} exists; the values are the
 * protocol's, so switching is a rename.
 */
public final class GroupErrors {
    public static final short NONE = 0;
    public static final short UNKNOWN_SERVER_ERROR = -1;
    public static final short UNKNOWN_TOPIC_OR_PARTITION = 3;
    public static final short OFFSET_METADATA_TOO_LARGE = 12;
    public static final short COORDINATOR_LOAD_IN_PROGRESS = 14;
    public static final short COORDINATOR_NOT_AVAILABLE = 15;
    public static final short NOT_COORDINATOR = 16;
    public static final short ILLEGAL_GENERATION = 22;
    public static final short INCONSISTENT_GROUP_PROTOCOL = 23;
    public static final short INVALID_GROUP_ID = 24;
    public static final short UNKNOWN_MEMBER_ID = 25;
    public static final short INVALID_SESSION_TIMEOUT = 26;
    public static final short REBALANCE_IN_PROGRESS = 27;
    public static final short INVALID_COMMIT_OFFSET_SIZE = 28;
    public static final short INVALID_REQUEST = 42;
    public static final short NON_EMPTY_GROUP = 68;
    public static final short GROUP_ID_NOT_FOUND = 69;
    public static final short MEMBER_ID_REQUIRED = 79;
    public static final short GROUP_MAX_SIZE_REACHED = 81;
    public static final short FENCED_INSTANCE_ID = 82;
    public static final short GROUP_SUBSCRIBED_TO_TOPIC = 86;
    public static final short UNSTABLE_OFFSET_COMMIT = 88;

    private GroupErrors() {
    }

    /** The Kafka name of a code, for logs and test messages. */
    public static String name(short code) {
        return switch (code) {
            case NONE -> "NONE";
            case UNKNOWN_SERVER_ERROR -> "UNKNOWN_SERVER_ERROR";
            case UNKNOWN_TOPIC_OR_PARTITION -> "UNKNOWN_TOPIC_OR_PARTITION";
            case OFFSET_METADATA_TOO_LARGE -> "OFFSET_METADATA_TOO_LARGE";
            case COORDINATOR_LOAD_IN_PROGRESS -> "COORDINATOR_LOAD_IN_PROGRESS";
            case COORDINATOR_NOT_AVAILABLE -> "COORDINATOR_NOT_AVAILABLE";
            case NOT_COORDINATOR -> "NOT_COORDINATOR";
            case ILLEGAL_GENERATION -> "ILLEGAL_GENERATION";
            case INCONSISTENT_GROUP_PROTOCOL -> "INCONSISTENT_GROUP_PROTOCOL";
            case INVALID_GROUP_ID -> "INVALID_GROUP_ID";
            case UNKNOWN_MEMBER_ID -> "UNKNOWN_MEMBER_ID";
            case INVALID_SESSION_TIMEOUT -> "INVALID_SESSION_TIMEOUT";
            case REBALANCE_IN_PROGRESS -> "REBALANCE_IN_PROGRESS";
            case INVALID_COMMIT_OFFSET_SIZE -> "INVALID_COMMIT_OFFSET_SIZE";
            case INVALID_REQUEST -> "INVALID_REQUEST";
            case NON_EMPTY_GROUP -> "NON_EMPTY_GROUP";
            case GROUP_ID_NOT_FOUND -> "GROUP_ID_NOT_FOUND";
            case MEMBER_ID_REQUIRED -> "MEMBER_ID_REQUIRED";
            case GROUP_MAX_SIZE_REACHED -> "GROUP_MAX_SIZE_REACHED";
            case FENCED_INSTANCE_ID -> "FENCED_INSTANCE_ID";
            case GROUP_SUBSCRIBED_TO_TOPIC -> "GROUP_SUBSCRIBED_TO_TOPIC";
            case UNSTABLE_OFFSET_COMMIT -> "UNSTABLE_OFFSET_COMMIT";
            default -> "ERROR_" + code;
        };
    }
}
