package io.skua.storage.log;

import java.io.IOException;

/** Told each {@link SwapStep} of {@link PartitionLog#replaceSegments} as it is reached (tests inject crashes there). */
public interface SwapObserver {
    void reached(SwapStep step) throws IOException;
}
