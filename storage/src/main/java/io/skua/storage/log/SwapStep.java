package io.skua.storage.log;

/** The steps of {@link PartitionLog#replaceSegments}, in order, reported to a {@link SwapObserver}. */
public enum SwapStep { RENAMED_TO_SWAP, OLD_SEGMENTS_DELETED, SWAPPED }
